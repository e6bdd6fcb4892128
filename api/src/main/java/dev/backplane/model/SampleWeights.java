package dev.backplane.model;

import dev.backplane.data.Batch;
import dev.backplane.data.Dataset;
import dev.backplane.tensor.Tensor;
import java.util.Iterator;
import java.util.Map;

/**
 * Keras's {@code sample_weight} and {@code class_weight}. The programs of a model compiled with
 * {@link Loss#withSampleWeights()} read each sample's weight from one extra, last label column;
 * this class checks the weights, turns class weights into sample weights and appends the column
 * (to tensors, and to datasets row by row), so the backends see only a wider {@code y}.
 */
public final class SampleWeights {
  private SampleWeights() {}

  /**
   * Keras's {@code class_weight} as sample weights: each sample's weight is that of its class,
   * 1 for a class not in the map. The class is the label itself for integer labels (rounded, as
   * Keras does), the arg-max of a label row of several values.
   *
   * @param outputs the model's outputs per sample (the number of classes, or 1 for a binary
   *     model, which has classes 0 and 1)
   * @param sparse whether labels are class indices
   * @throws IllegalArgumentException for a class index outside the model's classes or a weight
   *     that is not finite
   */
  public static float[] fromClassWeight(Map<Integer, Double> classWeight, Tensor y, int outputs,
      boolean sparse) {
    int classes = sparse || outputs > 1 ? outputs : 2;
    checkClassWeight(classWeight, classes);
    int n = y.rows();
    int width = n == 0 ? 0 : y.size() / n;
    float[] w = new float[n];
    float[] d = y.data();
    int off = y.offset();
    for (int i = 0; i < n; i++) {
      w[i] = (float) weightOf(classWeight, classOf(d, off + i * width, width));
    }
    return w;
  }

  static void checkClassWeight(Map<Integer, Double> classWeight, int classes) {
    for (Map.Entry<Integer, Double> e : classWeight.entrySet()) {
      Integer k = e.getKey();
      if (k == null || k < 0 || k >= classes) {
        throw new IllegalArgumentException("class_weight has key " + k + " but the model has "
            + classes + " classes: expected keys from 0 to " + (classes - 1));
      }
      Double v = e.getValue();
      if (v == null || !Double.isFinite(v)) {
        throw new IllegalArgumentException("class_weight of class " + k + " is " + v
            + "; give a finite number");
      }
    }
  }

  private static int classOf(float[] d, int from, int width) {
    if (width == 1) {
      return Math.round(d[from]);
    }
    int best = 0;
    for (int j = 1; j < width; j++) {
      if (d[from + j] > d[from + best]) {
        best = j;
      }
    }
    return best;
  }

  private static double weightOf(Map<Integer, Double> classWeight, int c) {
    Double v = classWeight.get(c);
    return v == null ? 1.0 : v;
  }

  /**
   * Checks Keras's {@code sample_weight} against {@code n} samples and returns it as one value
   * per sample.
   *
   * @throws IllegalArgumentException for another count, shape or a non-finite weight
   */
  public static float[] check(Tensor weights, int n, String what) {
    if (weights.rank() > 2 || weights.rank() == 2 && weights.shape()[1] != 1) {
      throw new IllegalArgumentException(what + " must have shape (" + n + ",) or (" + n
          + ", 1), one weight per sample, but has shape "
          + java.util.Arrays.toString(weights.shape()));
    }
    if (weights.rows() != n) {
      throw new IllegalArgumentException(what + " has " + weights.rows() + " weights but the"
          + " data has " + n + " samples; give one weight per sample");
    }
    float[] w = weights.toArray();
    for (int i = 0; i < w.length; i++) {
      if (!Float.isFinite(w[i])) {
        throw new IllegalArgumentException(what + " has " + w[i] + " at sample " + i
            + "; weights must be finite");
      }
    }
    return w;
  }

  /** {@code y} with {@code weights} (all 1 when {@code null}) as one more, last column. */
  static Tensor append(Tensor y, float[] weights) {
    int n = y.rows();
    int width = n == 0 ? 0 : y.size() / n;
    float[] out = new float[n * (width + 1)];
    float[] d = y.data();
    int off = y.offset();
    for (int i = 0; i < n; i++) {
      System.arraycopy(d, off + i * width, out, i * (width + 1), width);
      out[i * (width + 1) + width] = weights == null ? 1f : weights[i];
    }
    return Tensor.wrap(out, n, width + 1);
  }

  /**
   * A dataset whose labels carry a weight column: from an array (one per row of a
   * row-addressable dataset), from class weights, or 1.
   */
  static Dataset append(Dataset base, float[] weights, Map<Integer, Double> classWeight) {
    return append(base, weights, classWeight, Integer.MAX_VALUE);
  }

  /**
   * As {@link #append(Dataset, float[], Map)}, with class weights only for rows before
   * {@code classRows} (the training part of a validation split; Keras weights only that).
   */
  static Dataset append(Dataset base, float[] weights, Map<Integer, Double> classWeight,
      int classRows) {
    return new Dataset() {
      @Override
      public int size() {
        return base.size();
      }

      @Override
      public int[] featureShape() {
        return base.featureShape();
      }

      @Override
      public int labelSize() {
        return base.labelSize() + 1;
      }

      @Override
      public boolean randomAccess() {
        return base.randomAccess();
      }

      @Override
      public void read(int row, float[] x, int xOffset, float[] y, int yOffset) {
        base.read(row, x, xOffset, y, yOffset);
        if (y == null) {
          return;
        }
        int width = base.labelSize();
        double w = weights != null ? weights[row]
            : classWeight != null && row < classRows
                ? weightOf(classWeight, classOf(y, yOffset, width)) : 1.0;
        y[yOffset + width] = (float) w;
      }

      @Override
      public Iterator<Batch> batches() {
        Iterator<Batch> it = base.batches();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Batch next() {
            Batch b = it.next();
            Tensor y = b.y();
            if (y == null) {
              return b;
            }
            if (y.rank() == 1) {
              y = Tensor.wrap(y.toArray(), y.rows(), 1);
            }
            float[] w = classWeight == null ? null
                : fromClassWeightUnchecked(classWeight, y);
            return new Batch(b.x(), append(y, w));
          }
        };
      }

      @Override
      public String toString() {
        return base + " with sample weights";
      }
    };
  }

  private static float[] fromClassWeightUnchecked(Map<Integer, Double> classWeight, Tensor y) {
    int n = y.rows();
    int width = n == 0 ? 0 : y.size() / n;
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) weightOf(classWeight, classOf(y.data(), y.offset() + i * width, width));
    }
    return w;
  }
}
