package dev.backplane.model;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Keras's {@code CSVLogger}: one row per epoch, {@code epoch} (0-based) then every log key in
 * sorted order, fixed by the first epoch (with {@code val_} columns added when the first epoch
 * had none, as Keras does, filled with {@code NA}). Values are written as Python prints them
 * ({@code 0.5}, {@code 1e-05}, {@code nan}). With {@code append} an existing file is continued
 * without a second header; otherwise it is replaced. The file is flushed after every row, so an
 * interrupted fit leaves its completed epochs.
 */
public final class CSVLogger implements Callback {
  private final Path file;
  private final String separator;
  private final boolean append;
  private BufferedWriter writer;
  private List<String> keys;
  private boolean header;

  /** {@code CSVLogger(filename)}: comma-separated, replacing the file. */
  public CSVLogger(Path file) {
    this(file, ",", false);
  }

  /** {@code CSVLogger(filename, separator, append)}. */
  public CSVLogger(Path file, String separator, boolean append) {
    this.file = java.util.Objects.requireNonNull(file, "file");
    if (separator == null || separator.isEmpty()) {
      throw new IllegalArgumentException("CSVLogger needs a separator, e.g. \",\"");
    }
    this.separator = separator;
    this.append = append;
  }

  /** The file written. */
  public Path file() {
    return file;
  }

  @Override
  public void onTrainBegin(Sequential model) {
    try {
      header = true;
      if (append && Files.exists(file)) {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
          header = lines.findFirst().map(String::isEmpty).orElse(true);
        }
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
            StandardOpenOption.APPEND);
      } else {
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      }
      keys = null;
    } catch (IOException e) {
      throw new UncheckedIOException("CSVLogger cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
    if (writer == null) {
      throw new IllegalStateException("CSVLogger " + file + " was not started by fit()");
    }
    try {
      if (keys == null) {
        keys = new ArrayList<>(new TreeSet<>(logs.keySet()));
        if (keys.stream().noneMatch(k -> k.startsWith("val_")) && !keys.isEmpty()) {
          List<String> val = new ArrayList<>();
          keys.forEach(k -> val.add("val_" + k));
          keys.addAll(val);
        }
        if (header) {
          writer.write("epoch" + separator + String.join(separator, keys) + "\r\n");
        }
      }
      StringBuilder row = new StringBuilder().append(epoch);
      for (String k : keys) {
        Double v = logs.get(k);
        row.append(separator).append(v == null ? "NA" : python(v));
      }
      // Python's csv module ends rows with \r\n
      writer.write(row.append("\r\n").toString());
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("CSVLogger cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onTrainEnd(Sequential model, Map<String, Double> logs) {
    if (writer != null) {
      try {
        writer.close();
      } catch (IOException e) {
        throw new UncheckedIOException("CSVLogger cannot close " + file, e);
      } finally {
        writer = null;
      }
    }
  }

  /** A double as Python's {@code str(float)}: {@code 0.25}, {@code 1e-05}, {@code 1e+16}. */
  static String python(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    double a = Math.abs(v);
    String s = Double.toString(v);
    if (a == 0 || a >= 1e-4 && a < 1e16) {
      if (s.contains("E")) {
        s = new java.math.BigDecimal(s).stripTrailingZeros().toPlainString();
        return s.contains(".") ? s : s + ".0";
      }
      return s;
    }
    // Java's 1.0E-5 is Python's 1e-05
    String[] parts = s.split("E");
    String mantissa = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2)
        : parts[0];
    int exp = Integer.parseInt(parts[1]);
    return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "")
        + Math.abs(exp);
  }
}
