package dev.backplane.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Running means of the loss and the compiled metrics over an epoch, computed on the host from
 * each batch's outputs, so every backend reports metrics by the same definition. Allocates nothing
 * per batch.
 */
final class MetricAccumulator {
  private final List<Metric> metrics;
  private final List<String> keys;
  private final int outputs;
  private final double[] sums;
  private double lossSum;
  private long count;

  MetricAccumulator(List<Metric> metrics, List<String> keys, int outputs) {
    this.metrics = metrics;
    this.keys = keys;
    this.outputs = outputs;
    this.sums = new double[metrics.size()];
  }

  void reset() {
    lossSum = 0;
    count = 0;
    java.util.Arrays.fill(sums, 0);
  }

  /** Adds a batch: its loss sum and, row-major, its outputs and labels. */
  void add(double batchLossSum, float[] out, float[] y, int yOffset, int rows) {
    lossSum += batchLossSum;
    count += rows;
    for (int m = 0; m < sums.length; m++) {
      sums[m] += sum(metrics.get(m), out, y, yOffset, rows);
    }
  }

  /** The metric's sum over the rows, added row by row; one switch per batch, not per row. */
  private double sum(Metric metric, float[] out, float[] y, int yOff, int rows) {
    double total = 0;
    switch (metric) {
      case BINARY_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          int right = 0;
          for (int j = 0; j < outputs; j++) {
            boolean predicted = out[o + j] > 0.5f;
            if (predicted == (y[yOff + o + j] > 0.5f)) {
              right++;
            }
          }
          total += (double) right / outputs;
        }
        return total;
      case CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          total += argmax(out, o) == argmax(y, yOff + o) - yOff ? 1 : 0;
        }
        return total;
      case SPARSE_CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          total += argmax(out, o) - o == (int) y[yOff + r] ? 1 : 0;
        }
        return total;
      case MSE:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          double s = 0;
          for (int j = 0; j < outputs; j++) {
            double d = y[yOff + o + j] - out[o + j];
            s += d * d;
          }
          total += s / outputs;
        }
        return total;
      case MAE:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          double s = 0;
          for (int j = 0; j < outputs; j++) {
            s += Math.abs(y[yOff + o + j] - out[o + j]);
          }
          total += s / outputs;
        }
        return total;
      case TOP_K_CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          total += inTopK(out, o, argmax(y, yOff + o) - yOff - o) ? 1 : 0;
        }
        return total;
      case SPARSE_TOP_K_CATEGORICAL_ACCURACY:
        for (int r = 0; r < rows; r++) {
          total += inTopK(out, r * outputs, (int) y[yOff + r]) ? 1 : 0;
        }
        return total;
      default:
        throw new IllegalStateException("Unresolved metric " + metric);
    }
  }

  /** TF's in_top_k: fewer than k outputs of the row are strictly above the target's. */
  private boolean inTopK(float[] out, int from, int target) {
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
    return above < Metric.TOP_K;
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

  double loss() {
    return count == 0 ? Double.NaN : lossSum / count;
  }

  /** The means so far, loss first, keys prefixed (e.g. {@code val_}). */
  Map<String, Double> logs(String prefix) {
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put(prefix + "loss", loss());
    for (int m = 0; m < sums.length; m++) {
      logs.put(prefix + keys.get(m), count == 0 ? Double.NaN : sums[m] / count);
    }
    return logs;
  }

  void putInto(Map<String, Double> logs) {
    logs.put("loss", loss());
    for (int m = 0; m < sums.length; m++) {
      logs.put(keys.get(m), count == 0 ? Double.NaN : sums[m] / count);
    }
  }
}
