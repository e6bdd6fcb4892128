package dev.backplane.model;

/**
 * Keras's {@code AUC} with {@code summation_method='interpolation'} and
 * {@code multi_label=False}: the confusion counts of every output at {@code numThresholds}
 * thresholds ({@code -1e-7}, {@code i / (numThresholds - 1)} for {@code i = 1 ..
 * numThresholds - 2}, {@code 1 + 1e-7}) over all samples so far, then the area under the ROC
 * curve by the trapezoidal rule, or under the precision-recall curve by Davis and Goadrich's
 * interpolation (Keras's {@code interpolate_pr_auc}). Sparse labels count as their one-hot.
 *
 * @param numThresholds Keras's {@code num_thresholds}, default 200, &gt; 1
 * @param curve {@code ROC} (default) or {@code PR}
 * @param fromLogits whether outputs are logits (a sigmoid is applied first)
 */
public record Auc(int numThresholds, Curve curve, boolean fromLogits) implements Metric {
  /** Keras's {@code curve}. */
  public enum Curve {
    /** The receiver operating characteristic: recall over the false-positive rate. */
    ROC,
    /** Precision over recall. */
    PR
  }

  /** Keras's default {@code num_thresholds}. */
  public static final int DEFAULT_NUM_THRESHOLDS = 200;

  /** Validates the options. */
  public Auc {
    if (numThresholds <= 1) {
      throw new IllegalArgumentException("AUC num_thresholds must be > 1, got " + numThresholds);
    }
    java.util.Objects.requireNonNull(curve, "curve");
  }

  /** {@code AUC()}: 200 thresholds, ROC. */
  public Auc() {
    this(DEFAULT_NUM_THRESHOLDS, Curve.ROC, false);
  }

  /** {@code AUC(curve=...)} with 200 thresholds. */
  public Auc(Curve curve) {
    this(DEFAULT_NUM_THRESHOLDS, curve, false);
  }

  /** Keras's thresholds, as float32. */
  static float[] thresholds(int n) {
    float[] t = new float[n];
    double epsilon = 1e-7;
    t[0] = (float) (0 - epsilon);
    for (int i = 1; i < n - 1; i++) {
      t[i] = (float) (i * 1.0 / (n - 1));
    }
    t[n - 1] = (float) (1 + epsilon);
    return t;
  }

  @Override
  public String kerasName() {
    return "auc";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    ConfusionCounts c = new ConfusionCounts(thresholds(numThresholds), outputs, sparseLabels, 0,
        -1, fromLogits);
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
        return new double[] {curve == Curve.ROC ? roc(c) : pr(c)};
      }
    };
  }

  private static double roc(ConfusionCounts c) {
    int n = c.thresholds.length;
    double sum = 0;
    for (int i = 0; i < n - 1; i++) {
      double x0 = ConfusionCounts.divideNoNan(c.fp[i], c.fp[i] + c.tn[i]);
      double x1 = ConfusionCounts.divideNoNan(c.fp[i + 1], c.fp[i + 1] + c.tn[i + 1]);
      double y0 = ConfusionCounts.divideNoNan(c.tp[i], c.tp[i] + c.fn[i]);
      double y1 = ConfusionCounts.divideNoNan(c.tp[i + 1], c.tp[i + 1] + c.fn[i + 1]);
      sum += (x0 - x1) * (y0 + y1) / 2;
    }
    return sum;
  }

  /** Keras's {@code interpolate_pr_auc}. */
  private static double pr(ConfusionCounts c) {
    int n = c.thresholds.length;
    double sum = 0;
    for (int i = 0; i < n - 1; i++) {
      double dtp = c.tp[i] - c.tp[i + 1];
      double p0 = c.tp[i] + c.fp[i];
      double p1 = c.tp[i + 1] + c.fp[i + 1];
      double dp = p0 - p1;
      double slope = ConfusionCounts.divideNoNan(dtp, Math.max(dp, 0));
      double intercept = c.tp[i + 1] - slope * p1;
      double ratio = p0 > 0 && p1 > 0 ? ConfusionCounts.divideNoNan(p0, Math.max(p1, 0)) : 1;
      sum += ConfusionCounts.divideNoNan(slope * (dtp + intercept * Math.log(ratio)),
          Math.max(c.tp[i + 1] + c.fn[i + 1], 0));
    }
    return sum;
  }
}
