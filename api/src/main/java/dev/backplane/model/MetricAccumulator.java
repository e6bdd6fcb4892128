package dev.backplane.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss's running mean and the compiled metrics' states over an epoch, computed on the host
 * from each batch's outputs, so every backend reports metrics by the same definition. A metric
 * with one value per class logs {@code key[i]} for class {@code i}. Allocates nothing per batch
 * (results allocate when logs are built).
 */
final class MetricAccumulator {
  private final List<String> keys;
  private final List<MetricState> states = new ArrayList<>();
  private final int labelStride;
  private double lossSum;
  private long count;

  /** Labels of {@code outputs} values per row (dense) or one (sparse), without weights. */
  MetricAccumulator(List<Metric> metrics, List<String> keys, int outputs) {
    this(metrics, keys, outputs, sparse(metrics), -1);
  }

  /**
   * @param sparseLabels whether labels are class indices
   * @param labelStride values per label row (labels and a weight column), or -1 for the labels'
   *     own width
   */
  MetricAccumulator(List<Metric> metrics, List<String> keys, int outputs, boolean sparseLabels,
      int labelStride) {
    this.keys = keys;
    for (Metric m : metrics) {
      states.add(m.newState(outputs, sparseLabels));
    }
    this.labelStride = labelStride > 0 ? labelStride : sparseLabels ? 1 : outputs;
  }

  /** Whether every metric reads class indices (labels of one value per row). */
  private static boolean sparse(List<Metric> metrics) {
    for (Metric m : metrics) {
      if (m != BuiltinMetric.SPARSE_CATEGORICAL_ACCURACY
          && m != BuiltinMetric.SPARSE_TOP_K_CATEGORICAL_ACCURACY
          && !(m instanceof SparseTopKCategoricalAccuracy)) {
        return false;
      }
    }
    return !metrics.isEmpty();
  }

  void reset() {
    lossSum = 0;
    count = 0;
    for (MetricState s : states) {
      s.reset();
    }
  }

  /** Adds a batch: its loss sum and, row-major, its outputs and labels. */
  void add(double batchLossSum, float[] out, float[] y, int yOffset, int rows) {
    lossSum += batchLossSum;
    count += rows;
    for (MetricState s : states) {
      s.update(out, y, yOffset, labelStride, rows);
    }
  }

  double loss() {
    return count == 0 ? Double.NaN : lossSum / count;
  }

  /** The means so far, loss first, keys prefixed (e.g. {@code val_}). */
  Map<String, Double> logs(String prefix) {
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put(prefix + "loss", loss());
    for (int m = 0; m < states.size(); m++) {
      put(logs, prefix + keys.get(m), states.get(m).result());
    }
    return logs;
  }

  private void put(Map<String, Double> logs, String key, double[] values) {
    if (count == 0) {
      logs.put(key, Double.NaN);
    } else if (values.length == 1) {
      logs.put(key, values[0]);
    } else {
      for (int i = 0; i < values.length; i++) {
        logs.put(key + "[" + i + "]", values[i]);
      }
    }
  }

  void putInto(Map<String, Double> logs) {
    logs.putAll(logs(""));
  }
}
