package dev.backplane.model;

import java.util.Map;

/**
 * A compiled model's loss and metrics over an epoch whose batches ran elsewhere, such as a
 * data-parallel trainer's workers: add each global batch (its loss sum, outputs and labels) in
 * order, and {@link #logs()} is what {@code fit} would log for that epoch, with the same keys
 * and values. Not thread-safe.
 *
 * <pre>{@code
 * EpochMetrics m = model.epochMetrics();
 * for (each global batch in order) m.add(lossSum, outputs, labels, rows);
 * Map<String, Double> logs = m.logs();   // {loss=..., accuracy=...}
 * }</pre>
 */
public final class EpochMetrics {
  private final MetricAccumulator acc;

  EpochMetrics(MetricAccumulator acc) {
    this.acc = acc;
  }

  /**
   * Adds a batch.
   *
   * @param lossSum the sum over the batch of the per-sample losses
   * @param outputs the batch's outputs in training mode, row-major
   * @param labels the batch's labels as the model's {@code y}, row-major
   * @param rows the batch's sample count
   */
  public void add(double lossSum, float[] outputs, float[] labels, int rows) {
    acc.add(lossSum, outputs, labels, 0, rows);
  }

  /** The epoch's logs so far: {@code loss}, then each compiled metric under its Keras key. */
  public Map<String, Double> logs() {
    return acc.logs("");
  }
}
