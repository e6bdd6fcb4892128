package dev.backplane.tfjava;

import dev.backplane.model.Shapes;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** Checks of host batches against a model, before anything reaches TensorFlow. */
final class Batches {
  private Batches() {}

  /**
   * Checks {@code x}, {@code y} and {@code outputs} of a step and returns the batch size.
   *
   * @throws IllegalArgumentException naming what does not fit, and how
   */
  static int check(ModelSpec spec, Tensor x, Tensor y, float[] outputs) {
    int n = checkInput(spec, x, outputs);
    Objects.requireNonNull(y, "y");
    int perRow = spec.loss().sparseLabels() ? 1 : spec.outputSize();
    if (y.rows() != n || y.rowSize() != perRow) {
      throw new IllegalArgumentException("Labels of shape " + Arrays.toString(y.shape())
          + " do not fit inputs of " + n + " rows: model '" + spec.name() + "' with loss "
          + spec.loss() + " expects " + (spec.loss().sparseLabels()
              ? "(" + n + ", 1) class indices" : "(" + n + ", " + perRow + ")"));
    }
    if (spec.loss().sparseLabels()) {
      checkClassIndices(spec, y);
    }
    return n;
  }

  /** Checks the input of a forward pass and returns the batch size. */
  static int checkInput(ModelSpec spec, Tensor x, float[] outputs) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(outputs, "outputs");
    if (x.rank() < 2 || x.rowSize() != spec.inputSize()) {
      throw new IllegalArgumentException("Input of shape " + Arrays.toString(x.shape())
          + " does not fit model '" + spec.name() + "': expected "
          + Shapes.withBatch(spec.inputShape()) + ", " + spec.inputSize() + " values per row");
    }
    int n = x.rows();
    long needed = (long) n * spec.outputSize();
    if (outputs.length < needed) {
      throw new IllegalArgumentException("The outputs array has " + outputs.length
          + " values but a batch of " + n + " rows produces " + needed);
    }
    return n;
  }

  private static void checkClassIndices(ModelSpec spec, Tensor y) {
    int classes = spec.outputSize();
    for (int i = 0; i < y.rows(); i++) {
      float v = y.get(i);
      if (!(v >= 0 && v < classes && v == Math.rint(v))) {
        throw new IllegalArgumentException("Label " + v + " in row " + i + " is not a class index"
            + " in [0, " + classes + ") for " + spec.loss() + " of model '" + spec.name() + "'");
      }
    }
  }
}
