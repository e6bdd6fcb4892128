package dev.backplane.model;

/** The fraction of samples whose label is among the {@code k} largest outputs (TF's in_top_k). */
final class TopKState implements MetricState {
  private final int k;
  private final int outputs;
  private final boolean sparse;
  private double sum;
  private long count;

  TopKState(int k, int outputs, boolean sparse) {
    this.k = k;
    this.outputs = outputs;
    this.sparse = sparse;
  }

  @Override
  public void reset() {
    sum = 0;
    count = 0;
  }

  @Override
  public void update(float[] out, float[] y, int yOff, int stride, int rows) {
    for (int r = 0; r < rows; r++) {
      int l = yOff + r * stride;
      int target = sparse ? (int) y[l] : Labels.argmax(y, l, outputs);
      sum += MeanMetricState.inTopK(out, r * outputs, outputs, target, k) ? 1 : 0;
    }
    count += rows;
  }

  @Override
  public double[] result() {
    return new double[] {count == 0 ? Double.NaN : sum / count};
  }

  static void checkK(String metric, int k) {
    if (k < 1) {
      throw new IllegalArgumentException(metric + " k must be >= 1, got " + k);
    }
  }
}
