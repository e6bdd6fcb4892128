package dev.backplane.model;

/** Keras's {@code FBetaScore} state: per-class true and false positives and negatives. */
final class FScoreState implements MetricState {
  private static final double EPSILON = 1e-7;
  private final String average;
  private final double beta;
  private final double threshold;
  private final int outputs;
  private final boolean sparse;
  private final double[] tp;
  private final double[] fp;
  private final double[] fn;
  private final double[] support;

  FScoreState(String average, double beta, double threshold, int outputs, boolean sparse) {
    this.average = average;
    this.beta = beta;
    this.threshold = threshold;
    this.outputs = outputs;
    this.sparse = sparse;
    this.tp = new double[outputs];
    this.fp = new double[outputs];
    this.fn = new double[outputs];
    this.support = new double[outputs];
  }

  /** Checks Keras's {@code average} option. */
  static void checkAverage(String metric, String average) {
    if (average != null && !average.equals("micro") && !average.equals("macro")
        && !average.equals("weighted")) {
      throw new IllegalArgumentException("Invalid `average` argument value for " + metric
          + ". Expected one of: {None, 'micro', 'macro', 'weighted'}. Received: average="
          + average);
    }
  }

  @Override
  public void reset() {
    java.util.Arrays.fill(tp, 0);
    java.util.Arrays.fill(fp, 0);
    java.util.Arrays.fill(fn, 0);
    java.util.Arrays.fill(support, 0);
  }

  @Override
  public void update(float[] out, float[] y, int yOff, int stride, int rows) {
    for (int r = 0; r < rows; r++) {
      int o = r * outputs;
      int l = yOff + r * stride;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < outputs; j++) {
        max = Math.max(max, out[o + j]);
      }
      for (int j = 0; j < outputs; j++) {
        float p = out[o + j];
        // Keras: without a threshold the row's maximum is positive ([0, 0] stays negative)
        boolean predicted = Double.isNaN(threshold) ? p >= max && Math.abs(p) > 1e-9
            : p > (float) threshold;
        double t = Labels.value(y, l, j, sparse);
        double pv = predicted ? 1 : 0;
        tp[j] += pv * t;
        fp[j] += pv * (1 - t);
        fn[j] += (1 - pv) * t;
        support[j] += t;
      }
    }
  }

  @Override
  public double[] result() {
    double b2 = beta * beta;
    if ("micro".equals(average)) {
      double t = 0;
      double f = 0;
      double n = 0;
      for (int j = 0; j < outputs; j++) {
        t += tp[j];
        f += fp[j];
        n += fn[j];
      }
      return new double[] {score(t, f, n, b2)};
    }
    double[] scores = new double[outputs];
    for (int j = 0; j < outputs; j++) {
      scores[j] = score(tp[j], fp[j], fn[j], b2);
    }
    if (average == null) {
      return scores;
    }
    if (average.equals("macro")) {
      double s = 0;
      for (double v : scores) {
        s += v;
      }
      return new double[] {s / outputs};
    }
    double total = 0;
    for (double v : support) {
      total += v;
    }
    double s = 0;
    for (int j = 0; j < outputs; j++) {
      s += scores[j] * support[j] / (total + EPSILON);
    }
    return new double[] {s};
  }

  private static double score(double tp, double fp, double fn, double b2) {
    double precision = tp / (tp + fp + EPSILON);
    double recall = tp / (tp + fn + EPSILON);
    return precision * recall / (b2 * precision + recall + EPSILON) * (1 + b2);
  }
}
