package dev.backplane.model;

/** The mean over samples of a {@link BuiltinMetric}'s per-sample value; one switch per batch. */
final class MeanMetricState implements MetricState {
  private final BuiltinMetric metric;
  private final int outputs;
  private double sum;
  private long count;

  MeanMetricState(BuiltinMetric metric, int outputs) {
    this.metric = metric;
    this.outputs = outputs;
  }

  @Override
  public void reset() {
    sum = 0;
    count = 0;
  }

  @Override
  public double[] result() {
    return new double[] {count == 0 ? Double.NaN : sum / count};
  }

  @Override
  public void update(float[] out, float[] y, int yOff, int stride, int rows) {
    sum += sum(out, y, yOff, stride, rows);
    count += rows;
  }

  private double sum(float[] out, float[] y, int yOff, int stride, int rows) {
    double total = 0;
    switch (metric) {
      case BINARY_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          int l = yOff + r * stride;
          int right = 0;
          for (int j = 0; j < outputs; j++) {
            boolean predicted = out[o + j] > 0.5f;
            if (predicted == (y[l + j] > 0.5f)) {
              right++;
            }
          }
          total += (double) right / outputs;
        }
        return total;
      case CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          int l = yOff + r * stride;
          total += argmax(out, o) - o == argmax(y, l) - l ? 1 : 0;
        }
        return total;
      case SPARSE_CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          total += argmax(out, o) - o == (int) y[yOff + r * stride] ? 1 : 0;
        }
        return total;
      case MSE:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          int l = yOff + r * stride;
          double s = 0;
          for (int j = 0; j < outputs; j++) {
            double d = y[l + j] - out[o + j];
            s += d * d;
          }
          total += s / outputs;
        }
        return total;
      case MAE:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          int l = yOff + r * stride;
          double s = 0;
          for (int j = 0; j < outputs; j++) {
            s += Math.abs(y[l + j] - out[o + j]);
          }
          total += s / outputs;
        }
        return total;
      case TOP_K_CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int l = yOff + r * stride;
          total += inTopK(out, r * outputs, outputs, argmax(y, l) - l, Metric.TOP_K) ? 1 : 0;
        }
        return total;
      case SPARSE_TOP_K_CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          total += inTopK(out, r * outputs, outputs, (int) y[yOff + r * stride], Metric.TOP_K)
              ? 1 : 0;
        }
        return total;
      default:
        throw new IllegalStateException("Unresolved metric " + metric);
    }
  }

  /** TF's in_top_k: fewer than k outputs of the row are strictly above the target's. */
  static boolean inTopK(float[] out, int from, int outputs, int target, int k) {
    if (target < 0 || target >= outputs) {
      return false;
    }
    float t = out[from + target];
    int above = 0;
    for (int j = 0; j < outputs; j++) {
      if (out[from + j] > t) {
        above++;
      }
    }
    return above < k;
  }

  private int argmax(float[] a, int from) {
    int best = from;
    for (int j = from + 1; j < from + outputs; j++) {
      if (a[j] > a[best]) {
        best = j;
      }
    }
    return best;
  }
}
