package dev.backplane.model;

/**
 * Keras's {@code Precision}: {@code tp / (tp + fp)} over every output of every sample so far
 * (0 while nothing is predicted positive), a prediction positive when above the threshold.
 * Sparse labels count as their one-hot.
 *
 * @param threshold Keras's {@code thresholds} (one); {@code NaN} for the default, 0.5, or
 *     minus infinity with {@code topK}
 * @param topK Keras's {@code top_k}: only the {@code k} largest outputs of a sample can be
 *     positive; 0 for none
 * @param classId Keras's {@code class_id}: only this output column; -1 for all
 */
public record Precision(double threshold, int topK, int classId) implements Metric {
  /** Validates the options. */
  public Precision {
    if (topK < 0 || classId < -1) {
      throw new IllegalArgumentException("Precision needs top_k >= 0 (0 for none) and class_id"
          + " >= -1 (-1 for none), got top_k=" + topK + ", class_id=" + classId);
    }
  }

  /** {@code Precision()} with Keras's defaults. */
  public Precision() {
    this(Double.NaN, 0, -1);
  }

  /** {@code Precision(thresholds=threshold)}. */
  public Precision(double threshold) {
    this(threshold, 0, -1);
  }

  static float threshold(double threshold, int topK) {
    if (Double.isNaN(threshold)) {
      return topK > 0 ? Float.NEGATIVE_INFINITY : 0.5f;
    }
    return (float) threshold;
  }

  @Override
  public String kerasName() {
    return "precision";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    ConfusionCounts.checkClassId("Precision", classId, outputs);
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    ConfusionCounts c = new ConfusionCounts(new float[] {threshold(threshold, topK)}, outputs,
        sparseLabels, topK, classId, false);
    return new MetricState() {
      @Override
      public void reset() {
        c.reset();
      }

      @Override
      public void update(float[] out, float[] y, int yOffset, int yStride, int rows) {
        c.update(out, y, yOffset, yStride, rows);
      }

      @Override
      public double[] result() {
        return new double[] {ConfusionCounts.divideNoNan(c.tp[0], c.tp[0] + c.fp[0])};
      }
    };
  }
}
