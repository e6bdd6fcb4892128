package dev.backplane.io.keras;

import dev.backplane.io.ModelFileException;
import dev.backplane.model.ParameterSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads entries of a Keras 3 {@code .keras} zip ({@code config.json}, {@code metadata.json},
 * {@code model.weights.h5}) with a size cap per entry, so a forged or bomb-like archive cannot
 * exhaust memory.
 */
final class KerasArchive implements AutoCloseable {
  /** Largest {@code config.json} / {@code metadata.json} read. */
  static final int MAX_JSON_BYTES = 64 << 20;
  /** Largest {@code model.weights.h5} read into memory, whatever the architecture. */
  static final int MAX_WEIGHTS_BYTES = 1 << 30;
  /** Largest total of decompressed bytes read from one archive. */
  static final long MAX_TOTAL_BYTES = MAX_WEIGHTS_BYTES + 2L * MAX_JSON_BYTES;
  /** HDF5 structure (groups, attributes, headers) allowed on top of the tensors' data. */
  static final int WEIGHTS_SLACK_BYTES = 16 << 20;
  /**
   * Copies of each value allowed in {@code model.weights.h5}: the variable and up to four
   * optimizer slots (Adam's two, Nadam's three, ...).
   */
  static final int COPIES = 5;

  private final Path file;
  private final ZipFile zip;
  private long budget = MAX_TOTAL_BYTES;

  KerasArchive(Path file) {
    this.file = file;
    try {
      this.zip = new ZipFile(file.toFile());
    } catch (IOException e) {
      throw new ModelFileException(file, "not a readable .keras zip archive: " + e.getMessage(), e);
    }
  }

  boolean has(String name) {
    return zip.getEntry(name) != null;
  }

  /**
   * The most bytes {@code model.weights.h5} may inflate to for these layers: their values as
   * float64 (the widest float Keras stores), {@value #COPIES} copies each for optimizer state,
   * plus {@value #WEIGHTS_SLACK_BYTES} bytes of HDF5 structure, and never over
   * {@value #MAX_WEIGHTS_BYTES}.
   */
  static int weightsLimit(List<LayerParameters> layers) {
    long values = 0;
    for (LayerParameters lp : layers) {
      for (ParameterSpec p : lp.parameters()) {
        long n = 1;
        for (int d : p.shape()) {
          n *= Math.max(d, 0);
          n = Math.min(n, MAX_WEIGHTS_BYTES);
        }
        values = Math.min(values + n, MAX_WEIGHTS_BYTES);
      }
    }
    return (int) Math.min(MAX_WEIGHTS_BYTES, WEIGHTS_SLACK_BYTES + values * Double.BYTES * COPIES);
  }

  /**
   * The entry's bytes; a missing entry, one over {@code limit} bytes (declared or inflated), or
   * one past the archive's total of {@value #MAX_TOTAL_BYTES} bytes is an error. The bytes are
   * counted while they inflate, so a forged size in the zip directory changes nothing.
   */
  byte[] read(String name, int limit) {
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new ModelFileException(file, ".keras archive has no '" + name + "' entry");
    }
    long cap = Math.min(limit, budget);
    if (entry.getSize() > cap) {
      throw tooLarge(name, entry.getSize() + " bytes", cap);
    }
    try (InputStream in = zip.getInputStream(entry)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(
          (int) Math.min(cap, Math.max(entry.getSize(), 1 << 16)));
      byte[] chunk = new byte[1 << 16];
      long total = 0;
      for (int n; (n = in.read(chunk)) >= 0; ) {
        total += n;
        if (total > cap) {
          throw tooLarge(name, "more than " + cap + " bytes", cap);
        }
        out.write(chunk, 0, n);
      }
      budget -= total;
      return out.toByteArray();
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read .keras entry '" + name + "': "
          + e.getMessage(), e);
    }
  }

  private ModelFileException tooLarge(String name, String size, long cap) {
    return new ModelFileException(file, ".keras entry '" + name + "' inflates to " + size
        + ", over the limit of " + cap + " bytes " + (cap == budget
            ? "left of the archive's " + MAX_TOTAL_BYTES : "for this entry (from the"
            + " architecture's weight sizes)") + "; the archive is corrupt or a zip bomb");
  }

  @Override
  public void close() {
    try {
      zip.close();
    } catch (IOException e) {
      // Reading is done; a failure to release the handle changes nothing for the caller.
    }
  }
}
