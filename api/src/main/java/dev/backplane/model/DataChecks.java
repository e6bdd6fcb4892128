package dev.backplane.model;

import dev.backplane.tensor.Tensor;
import java.util.Arrays;

/** Checks user data before any work starts, with messages that name the problem and the fix. */
final class DataChecks {
  private DataChecks() {}

  static void checkInputShape(Tensor x, int[] inputShape, String what) {
    if (x == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    int[] perSample = Arrays.copyOfRange(x.shape(), 1, x.rank());
    boolean flatMatch = x.rank() == 2 && x.rowSize() == Shapes.size(inputShape);
    if (!Arrays.equals(perSample, inputShape) && !flatMatch) {
      throw new IllegalArgumentException(what + " expects shape " + Shapes.withBatch(inputShape)
          + " but got " + Arrays.toString(x.shape()));
    }
  }

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
    if (Layers.unwrap(first) instanceof Embedding e) {
      e.checkIndices(x.data(), x.offset(), x.size(), x.rowSize(), what);
    }
  }

  /**
   * Values per block of {@link #checkFinite}'s scan; a hit rescans only its block. Small, so that
   * the block scan is called often enough to be compiled within a few fits of small data (with
   * 4096, 10,000 values were still interpreted after 20 fits).
   */
  static final int FINITE_BLOCK = 256;

  /**
   * Rejects NaN and infinities, naming the first one's row. Runs over all of {@code x} once per
   * fit, so it is a branch-free scan (memory-bound, a few times faster than testing each value):
   * {@code v * 0} is {@code ±0} for a finite {@code v} and NaN otherwise, so a block's sum of
   * those is NaN exactly when the block holds a non-finite value, whatever the values' sizes.
   * Eight sums break the dependency chain of the adds. Only a block that fails is searched for
   * its first bad value. (Math.min/max reductions, which would also catch NaN and infinities,
   * measured slower than the per-value test on JDK 17.)
   */
  static void checkFinite(Tensor t, String what) {
    float[] d = t.data();
    int off = t.offset();
    int size = t.size();
    for (int start = 0; start < size; start += FINITE_BLOCK) {
      int end = Math.min(size, start + FINITE_BLOCK);
      if (!allFinite(d, off + start, off + end)) {
        reportFirstNonFinite(t, what, start, end);
      }
    }
  }

  private static boolean allFinite(float[] d, int from, int to) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = from;
    for (; i + 7 < to; i += 8) {
      s0 += d[i] * 0f;
      s1 += d[i + 1] * 0f;
      s2 += d[i + 2] * 0f;
      s3 += d[i + 3] * 0f;
      s4 += d[i + 4] * 0f;
      s5 += d[i + 5] * 0f;
      s6 += d[i + 6] * 0f;
      s7 += d[i + 7] * 0f;
    }
    for (; i < to; i++) {
      s0 += d[i] * 0f;
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) == 0;
  }

  /** Throws for the first non-finite value among values {@code [start, end)} of {@code t}. */
  private static void reportFirstNonFinite(Tensor t, String what, int start, int end) {
    int row = t.rowSize();
    float[] d = t.data();
    int off = t.offset();
    for (int i = start; i < end; i++) {
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
    if (loss.sampleWeighted()) {
      checkWeightedLabels(y, loss, outputs, samples, what);
      return;
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
    boolean binary = loss.type() == Loss.Type.BINARY_CROSSENTROPY;
    boolean sparse = loss.sparseLabels();
    boolean categorical = loss.type() == Loss.Type.CATEGORICAL_CROSSENTROPY;
    if (!binary && !sparse && !categorical) {
      return;
    }
    float[] d = y.data();
    int off = y.offset();
    int size = y.size();
    for (int i = 0; i < size; i++) {
      float v = d[off + i];
      if (binary && (v < 0 || v > 1)) {
        throw new IllegalArgumentException(what + " has label " + v + " at row " + i / expected
            + "; binary_crossentropy needs labels in [0, 1]");
      }
      if (categorical && (v < 0 || v > 1)) {
        throw new IllegalArgumentException(what + " has label " + v + " at row " + i / expected
            + ", column " + i % expected + "; categorical_crossentropy needs one-hot or"
            + " probability labels in [0, 1]");
      }
      if (sparse && (v < 0 || v >= outputs || v != Math.rint(v))) {
        throw new IllegalArgumentException(what + " has label " + v + " at row " + i / expected
            + "; sparse_categorical_crossentropy needs integer class indices in [0, " + outputs
            + ")");
      }
    }
  }

  /** Labels with a last column of sample weights: the weights finite, the labels as usual. */
  private static void checkWeightedLabels(Tensor y, Loss loss, int outputs, int samples,
      String what) {
    int width = loss.labelColumns(outputs);
    int k = width - 1;
    if (y.rowSize() != width) {
      throw new IllegalArgumentException(what + " has " + y.rowSize() + " values per sample but"
          + " " + loss + " expects " + k + " label value(s) and a sample weight");
    }
    int n = y.rows();
    float[] labels = new float[n * k];
    float[] d = y.data();
    int off = y.offset();
    for (int i = 0; i < n; i++) {
      System.arraycopy(d, off + i * width, labels, i * k, k);
      float w = d[off + i * width + k];
      if (!Float.isFinite(w)) {
        throw new IllegalArgumentException("The sample weight of row " + i + " of " + what
            + " is " + w + "; weights must be finite");
      }
    }
    checkLabels(Tensor.wrap(labels, n, k), loss.withoutSampleWeights(), outputs, samples, what);
  }
}
