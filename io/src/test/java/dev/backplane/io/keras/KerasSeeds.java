package dev.backplane.io.keras;

import dev.backplane.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Valid Keras files for fuzzing from other packages, and the reader under test. */
public final class KerasSeeds {
  private KerasSeeds() {}

  /** A Keras 2.6 {@code model.save("m.h5")} file. */
  public static void h5Model(Path file) {
    KerasFiles.kerasH5Model(file, KerasConfigs.keras26(), KerasConfigs.TRAINING_26,
        KerasModelsTest.LAYER_NAMES_26, KerasModelsTest.WEIGHTS_26);
  }

  /** A Keras 3 {@code .keras} archive. */
  public static void archive(Path file) throws IOException {
    KerasFiles.kerasArchive(file, KerasConfigs.KERAS_3, Map.of(
        "dense", List.of(KerasModelsTest.HIDDEN, new float[4]),
        "dense_1", List.of(KerasModelsTest.LOGITS, new float[2])));
  }

  /**
   * Imports a file, checking a successful import has the seeds' four parameters.
   *
   * @throws ModelFileException if the file is rejected
   */
  public static void read(Path file) {
    int n = KerasModels.read(file).model().parameters().size();
    if (n != 4) {
      throw new IllegalStateException("imported " + n + " parameters, expected 4");
    }
  }
}
