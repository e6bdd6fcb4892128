package dev.backplane.model;

/**
 * Keras's {@code SparseTopKCategoricalAccuracy}: as {@link TopKCategoricalAccuracy} with an
 * integer class label.
 *
 * @param k how many of the highest outputs count, default 5
 */
public record SparseTopKCategoricalAccuracy(int k) implements Metric {
  /** Validates {@code k}. */
  public SparseTopKCategoricalAccuracy {
    TopKState.checkK("SparseTopKCategoricalAccuracy", k);
  }

  /** {@code SparseTopKCategoricalAccuracy()}, {@code k = 5}. */
  public SparseTopKCategoricalAccuracy() {
    this(Metric.TOP_K);
  }

  @Override
  public String kerasName() {
    return "sparse_top_k_categorical_accuracy";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    return new TopKState(k, outputs, true);
  }
}
