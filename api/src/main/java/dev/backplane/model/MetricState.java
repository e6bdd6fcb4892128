package dev.backplane.model;

/**
 * The running state of one {@link Metric} over an epoch or an evaluation, as a Keras metric's
 * variables: {@link #update} per batch, {@link #result} at any time, {@link #reset} between
 * epochs. Used by one thread at a time; updates allocate nothing.
 */
public interface MetricState {
  /** Forgets every batch. */
  void reset();

  /**
   * Adds a batch.
   *
   * @param out the model's outputs, row-major, {@code outputs} values per row
   * @param y the labels: row {@code r} starts at {@code yOffset + r * yStride} (a weight column
   *     may follow the labels; it is not read)
   * @param rows the batch's rows
   */
  void update(float[] out, float[] y, int yOffset, int yStride, int rows);

  /**
   * The result so far: one value for most metrics, one per class for a per-class result
   * (Keras's {@code average=None}).
   */
  double[] result();
}
