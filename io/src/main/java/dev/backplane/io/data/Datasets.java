package dev.backplane.io.data;

import dev.backplane.data.ArrayDataset;
import dev.backplane.data.Dataset;
import dev.backplane.io.ModelFileException;
import dev.backplane.tensor.Tensor;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Datasets from files.
 *
 * <pre>{@code
 * model.fit(Datasets.npy(Path.of("x.npy"), Path.of("y.npy")), opts);   // memory-mapped
 * model.fit(Datasets.csv(Path.of("iris.csv"), "species"), opts);        // header row, parsed
 * }</pre>
 */
public final class Datasets {
  private Datasets() {}

  /**
   * Inputs and labels from NPY files, memory-mapped: rows are read as training draws them, so
   * arrays larger than the heap work. Labels of an integer or bool dtype are class indices.
   *
   * @param y the labels, or {@code null} for inputs only
   * @throws dev.backplane.io.ModelFileException naming a file that is bad or unsupported
   * @throws IllegalArgumentException if the arrays' sample counts differ
   */
  public static NpyDataset npy(Path x, Path y) {
    return new NpyDataset(NpyArray.open(x), y == null ? null : NpyArray.open(y));
  }

  /**
   * A CSV table with a header row: {@code labelColumn} is the label, every other column a
   * feature. See {@link #csv(Path, String, List)}.
   */
  public static ArrayDataset csv(Path file, String labelColumn) {
    return csv(file, labelColumn, List.of());
  }

  /**
   * A CSV table with a header row (RFC 4180, values trimmed), read into memory. The features
   * are {@code featureColumns} in the order given, or, when empty, every column but the label,
   * in file order; the label is one value per row ({@code null}: none, for prediction). Every
   * value must be a number; a missing or unparsable one is an error naming its row (1 is the
   * first data row) and column.
   *
   * @throws ModelFileException naming the file, and the row and column of a bad value
   */
  public static ArrayDataset csv(Path file, String labelColumn, List<String> featureColumns) {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
        .setTrim(true).setIgnoreEmptyLines(true).build();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.parse(reader, format)) {
      Map<String, Integer> header = parser.getHeaderMap();
      if (header == null || header.isEmpty()) {
        throw new ModelFileException(file, "CSV file has no header row; the first row must name"
            + " the columns");
      }
      List<String> names = new ArrayList<>(parser.getHeaderNames());
      if (labelColumn != null && !header.containsKey(labelColumn)) {
        throw new ModelFileException(file, "CSV has no label column '" + labelColumn
            + "'; its columns are " + names);
      }
      List<String> features = new ArrayList<>();
      if (featureColumns.isEmpty()) {
        for (String n : names) {
          if (!n.equals(labelColumn)) {
            features.add(n);
          }
        }
      } else {
        for (String n : featureColumns) {
          if (!header.containsKey(n)) {
            throw new ModelFileException(file, "CSV has no column '" + n + "'; its columns are "
                + names);
          }
          if (n.equals(labelColumn)) {
            throw new ModelFileException(file, "column '" + n + "' is the label; it cannot also"
                + " be a feature");
          }
          features.add(n);
        }
      }
      if (features.isEmpty()) {
        throw new ModelFileException(file, "CSV has no feature columns besides the label '"
            + labelColumn + "'");
      }
      int[] featureIndex = features.stream().mapToInt(header::get).toArray();
      int labelIndex = labelColumn == null ? -1 : header.get(labelColumn);
      int width = featureIndex.length;
      float[] xs = new float[16 * width];
      float[] ys = new float[16];
      int rows = 0;
      for (CSVRecord record : parser) {
        int row = rows + 1;
        if (xs.length < (rows + 1) * width) {
          xs = java.util.Arrays.copyOf(xs, 2 * xs.length);
          ys = java.util.Arrays.copyOf(ys, 2 * ys.length);
        }
        for (int j = 0; j < width; j++) {
          xs[rows * width + j] = value(file, record, featureIndex[j], features.get(j), row);
        }
        if (labelIndex >= 0) {
          ys[rows] = value(file, record, labelIndex, labelColumn, row);
        }
        rows++;
      }
      if (rows == 0) {
        throw new ModelFileException(file, "CSV has a header but no data rows");
      }
      Tensor x = Tensor.wrap(java.util.Arrays.copyOf(xs, rows * width), rows, width);
      Tensor y = labelIndex < 0 ? null : Tensor.wrap(java.util.Arrays.copyOf(ys, rows), rows, 1);
      return Dataset.of(x, y);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ModelFileException(file, "cannot read the CSV file: " + e.getMessage(), e);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // Commons CSV reports duplicate or empty header names and malformed quoting this way.
      throw new ModelFileException(file, "malformed CSV: " + e.getMessage(), e);
    }
  }

  private static float value(Path file, CSVRecord record, int index, String column, int row) {
    String text = index < record.size() ? record.get(index) : null;
    String where = "row " + row + " (line " + record.getParser().getCurrentLineNumber()
        + "), column '" + column + "'";
    if (text == null || text.isEmpty()) {
      throw new ModelFileException(file, "missing value at " + where + "; fill it in or drop the"
          + " row");
    }
    float v;
    try {
      v = Float.parseFloat(text);
    } catch (NumberFormatException e) {
      throw new ModelFileException(file, "cannot parse '" + shorten(text) + "' at " + where
          + " as a number");
    }
    if (!Float.isFinite(v)) {
      throw new ModelFileException(file, "value '" + shorten(text) + "' at " + where
          + " is not finite");
    }
    return v;
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }
}
