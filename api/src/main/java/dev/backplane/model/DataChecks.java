package dev.backplane.model;

import dev.backplane.tensor.Tensor;
import java.util.Arrays;

/** Checks user data before any work starts, with messages that name the problem and the fix. */
final class DataChecks {
  private DataChecks() {}

  static void checkInput(Tensor x, int[] inputShape, Layer first, String what) {
    if (x == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    int[] perSample = Arrays.copyOfRange(x.shape(), 1, x.rank());
    boolean flatMatch = x.rank() == 2 && x.rowSize() == Shapes.size(inputShape)
        && inputShape.length > 1;
    if (!Arrays.equals(perSample, inputShape) && !flatMatch) {
      throw new IllegalArgumentException("Input of layer '" + first.name() + "' ("
          + first.kerasClass() + ") is incompatible with the layer: expected shape "
          + Shapes.withBatch(inputShape) + ", but received " + what + " with shape "
          + Shapes.withBatch(perSample.length == 0 ? new int[] {1} : perSample)
          .replace("(None", "(" + x.rows()) + "; reshape the data or change the model's input"
          + " shape");
    }
  }

  static void checkFinite(Tensor t, String what) {
    int row = t.rowSize();
    float[] d = t.data();
    int off = t.offset();
    for (int i = 0; i < t.size(); i++) {
      float v = d[off + i];
      if (Float.isNaN(v) || Float.isInfinite(v)) {
        throw new IllegalArgumentException(what + " contains " + v + " at row " + (row == 0 ? 0
            : i / row) + " (the first non-finite value); clean or drop that row");
      }
    }
  }

  static void checkLabels(Tensor y, Loss loss, int outputs, int samples, String what) {
    if (y == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    if (y.rows() != samples) {
      throw new IllegalArgumentException("Data cardinality is ambiguous: x has " + samples
          + " samples but " + what + " has " + y.rows() + "; make sure all arrays contain the"
          + " same number of samples");
    }
    int expected = loss.sparseLabels() ? 1 : outputs;
    if (y.rowSize() != expected) {
      throw new IllegalArgumentException(what + " has " + y.rowSize() + " values per sample but "
          + loss.kerasName() + " on a model with " + outputs + " output(s) expects " + expected
          + (loss.sparseLabels() ? " (an integer class index)" : "")
          + (loss.type() == Loss.Type.CATEGORICAL_CROSSENTROPY && y.rowSize() == 1
              ? "; for integer labels use sparse_categorical_crossentropy" : ""));
    }
    checkFinite(y, what);
    float[] d = y.data();
    int off = y.offset();
    for (int i = 0; i < y.size(); i++) {
      float v = d[off + i];
      int rowIndex = i / expected;
      if (loss.type() == Loss.Type.BINARY_CROSSENTROPY && (v < 0 || v > 1)) {
        throw new IllegalArgumentException(what + " has label " + v + " at row " + rowIndex
            + "; binary_crossentropy needs labels in [0, 1]");
      }
      if (loss.sparseLabels() && (v < 0 || v >= outputs || v != Math.rint(v))) {
        throw new IllegalArgumentException(what + " has label " + v + " at row " + rowIndex
            + "; sparse_categorical_crossentropy needs integer class indices in [0, " + outputs
            + ")");
      }
    }
  }
}
