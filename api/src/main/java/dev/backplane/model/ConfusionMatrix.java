package dev.backplane.model;

import java.util.Arrays;

/**
 * A confusion matrix, as {@code tf.math.confusion_matrix}: {@code count(i, j)} samples of true
 * class {@code i} predicted as class {@code j}. The predicted class is the arg-max output (above
 * 0.5 for a single output); the true class the label index, or the arg-max of a one-hot label.
 * Returned by {@link Sequential#evaluateDetailed}. Immutable.
 */
public final class ConfusionMatrix {
  private final long[][] counts;

  /** A matrix from counts, rows true classes, columns predicted ones; copied. */
  public ConfusionMatrix(long[][] counts) {
    this.counts = new long[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      if (counts[i].length != counts.length) {
        throw new IllegalArgumentException("A confusion matrix is square; row " + i + " has "
            + counts[i].length + " counts for " + counts.length + " classes");
      }
      this.counts[i] = counts[i].clone();
    }
  }

  /** The number of classes. */
  public int classes() {
    return counts.length;
  }

  /** Samples of true class {@code actual} predicted as {@code predicted}. */
  public long count(int actual, int predicted) {
    return counts[actual][predicted];
  }

  /** A copy of the counts, rows true classes. */
  public long[][] counts() {
    long[][] c = new long[counts.length][];
    for (int i = 0; i < c.length; i++) {
      c[i] = counts[i].clone();
    }
    return c;
  }

  /** All samples counted. */
  public long total() {
    long t = 0;
    for (long[] row : counts) {
      for (long v : row) {
        t += v;
      }
    }
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfusionMatrix m && Arrays.deepEquals(counts, m.counts);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(counts);
  }

  /** Rows of counts, one per true class. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (long[] row : counts) {
      b.append(Arrays.toString(row)).append('\n');
    }
    return b.toString();
  }

  /** Accumulates a confusion matrix from batches (also MeanIoU's state). */
  static final class Counter {
    final long[][] counts;
    private final int outputs;
    private final boolean sparse;

    Counter(int classes, int outputs, boolean sparse) {
      this.counts = new long[classes][classes];
      this.outputs = outputs;
      this.sparse = sparse;
    }

    void reset() {
      for (long[] row : counts) {
        Arrays.fill(row, 0);
      }
    }

    void update(float[] out, float[] y, int yOff, int stride, int rows) {
      int classes = counts.length;
      for (int r = 0; r < rows; r++) {
        int o = r * outputs;
        int l = yOff + r * stride;
        int predicted = outputs == 1 ? (out[o] > 0.5f ? 1 : 0) : Labels.argmax(out, o, outputs);
        // Keras casts a single label to int; a one-hot label's class is its arg-max
        int actual = sparse || outputs == 1 ? (int) y[l] : Labels.argmax(y, l, outputs);
        if (actual < 0 || actual >= classes || predicted >= classes) {
          throw new IllegalArgumentException("Class " + Math.max(actual, predicted)
              + " of sample " + r + " is outside the " + classes + " classes of the confusion"
              + " matrix");
        }
        counts[actual][predicted]++;
      }
    }
  }
}
