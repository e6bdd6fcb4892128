package dev.backplane.io.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.backplane.io.AllocatedBytes;
import dev.backplane.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutants of a Keras HDF5 model and of a {@code .keras} archive: each must import or be
 * rejected with {@link ModelFileException}, never another exception type, and allocate at most
 * {@link #MAX_CASE_BYTES} bytes (a deterministic bound on its work, in place of a time limit). The HDF5
 * parsing itself is jhdf's; this shows that whatever jhdf throws reaches the caller as a
 * {@link ModelFileException} naming the file, and (since files are read from a memory map, see
 * {@code H5.open}) that forged sizes fail fast instead of allocating.
 */
class KerasFuzzTest {
  private static final long SEED = Long.getLong("backplane.fuzz.seed", 7L);
  private static final int CASES = Integer.getInteger("backplane.fuzz.cases", 150);
  /** Most bytes one case (a file of a few KB) may allocate. */
  static final long MAX_CASE_BYTES = 64L << 20;

  @TempDir Path dir;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void mutatedHdf5ModelsLoadOrFailWithModelFileException() throws IOException {
    Path valid = dir.resolve("valid.h5");
    KerasFiles.kerasH5Model(valid, KerasConfigs.keras26(), KerasConfigs.TRAINING_26,
        KerasModelsTest.LAYER_NAMES_26, KerasModelsTest.WEIGHTS_26);
    fuzz(Files.readAllBytes(valid), "mutant.h5");
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void mutatedKerasArchivesLoadOrFailWithModelFileException() throws IOException {
    Path valid = dir.resolve("valid.keras");
    KerasFiles.kerasArchive(valid, KerasConfigs.KERAS_3, Map.of(
        "dense", List.of(KerasModelsTest.HIDDEN, new float[4]),
        "dense_1", List.of(KerasModelsTest.LOGITS, new float[2])));
    fuzz(Files.readAllBytes(valid), "mutant.keras");
  }

  private void fuzz(byte[] valid, String name) throws IOException {
    Random random = new Random(SEED);
    Path file = dir.resolve(name);
    int loaded = 0;
    for (int i = 0; i < CASES; i++) {
      byte[] b;
      String label;
      if (random.nextInt(4) == 0) {
        int length = random.nextInt(valid.length);
        b = Arrays.copyOf(valid, length);
        label = "truncate to " + length;
      } else {
        b = valid.clone();
        int flips = 1 + random.nextInt(4);
        StringBuilder at = new StringBuilder();
        for (int f = 0; f < flips; f++) {
          int pos = random.nextInt(b.length);
          b[pos] = (byte) random.nextInt(256);
          at.append(' ').append(pos);
        }
        label = "overwrite bytes at" + at;
      }
      Files.write(file, b);
      long start = AllocatedBytes.now();
      try {
        assertThat(KerasModels.read(file).model().parameters()).hasSize(4);
        loaded++;
      } catch (ModelFileException e) {
        assertThat(e.getMessage()).startsWith(file + ": ");
      } catch (Throwable t) {
        fail("case " + i + " (seed " + SEED + ", " + label + ") threw " + t, t);
      }
      // The work per case, bounded deterministically: bytes allocated, not elapsed time.
      long allocated = AllocatedBytes.now() - start;
      assertThat(allocated).as("case %d (%s) allocated %d bytes", i, label, allocated)
          .isLessThan(MAX_CASE_BYTES);
    }
    System.out.printf("keras fuzz %s: %d of %d mutants loaded%n", name, loaded, CASES);
  }
}
