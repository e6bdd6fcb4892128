package dev.backplane.io.keras;

import dev.backplane.io.ModelFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
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
  /** Largest {@code model.weights.h5} read into memory. */
  static final int MAX_WEIGHTS_BYTES = 1 << 30;

  private final Path file;
  private final ZipFile zip;

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

  /** The entry's bytes; a missing entry or one over {@code limit} bytes is an error. */
  byte[] read(String name, int limit) {
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new ModelFileException(file, ".keras archive has no '" + name + "' entry");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] bytes = in.readNBytes(limit);
      if (in.read() >= 0) {
        throw new ModelFileException(file, ".keras entry '" + name + "' is larger than the limit"
            + " of " + limit + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read .keras entry '" + name + "': "
          + e.getMessage(), e);
    }
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
