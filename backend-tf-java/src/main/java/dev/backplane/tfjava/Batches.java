package dev.backplane.tfjava;

import dev.backplane.model.Shapes;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Checks of host batches against one model, before anything reaches TensorFlow. The model's
 * sizes are computed once.
 */
final class Batches {
  private final ModelSpec spec;
  private final int inputSize;
  private final int outputSize;
  private final boolean sparse;
  private final int labelsPerRow;

  Batches(ModelSpec spec) {
    this.spec = spec;
    this.inputSize = spec.inputSize();
    this.outputSize = spec.outputSize();
    this.sparse = spec.loss().sparseLabels();
    this.labelsPerRow = spec.loss().labelColumns(outputSize);
  }

  /** Values per row of the model's output. */
  int outputSize() {
    return outputSize;
  }

  /**
   * Values per row of the labels: 1 for class indices, else the output size; one more when the
   * last column carries sample weights.
   */
  int labelsPerRow() {
    return labelsPerRow;
  }

  /**
   * Checks {@code x}, {@code y} and {@code outputs} of a step and returns the batch size.
   *
   * @throws IllegalArgumentException naming what does not fit, and how
   */
  int check(Tensor x, Tensor y, float[] outputs) {
    int n = checkInput(x, outputs);
    Objects.requireNonNull(y, "y");
    if (y.rows() != n || y.rowSize() != labelsPerRow) {
      throw new IllegalArgumentException("Labels of shape " + Arrays.toString(y.shape())
          + " do not fit inputs of " + n + " rows: model '" + spec.name() + "' with loss "
          + spec.loss() + " expects " + (sparse ? "(" + n + ", 1) class indices"
              : "(" + n + ", " + labelsPerRow + ")"));
    }
    if (sparse) {
      checkClassIndices(y);
    }
    return n;
  }

  /** Checks the input of a forward pass and returns the batch size. */
  int checkInput(Tensor x, float[] outputs) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(outputs, "outputs");
    if (x.rank() < 2 || x.rowSize() != inputSize) {
      throw new IllegalArgumentException("Input of shape " + Arrays.toString(x.shape())
          + " does not fit model '" + spec.name() + "': expected "
          + Shapes.withBatch(spec.inputShape()) + ", " + inputSize + " values per row");
    }
    int n = x.rows();
    long needed = (long) n * outputSize;
    if (outputs.length < needed) {
      throw new IllegalArgumentException("The outputs array has " + outputs.length
          + " values but a batch of " + n + " rows produces " + needed);
    }
    return n;
  }

  private void checkClassIndices(Tensor y) {
    for (int i = 0; i < y.rows(); i++) {
      // class index in column 0; a sample weight may follow it
      float v = y.get(i * labelsPerRow);
      if (!(v >= 0 && v < outputSize && v == Math.rint(v))) {
        throw new IllegalArgumentException("Label " + v + " in row " + i + " is not a class index"
            + " in [0, " + outputSize + ") for " + spec.loss() + " of model '" + spec.name()
            + "'");
      }
    }
  }
}
