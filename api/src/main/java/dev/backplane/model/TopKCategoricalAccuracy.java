package dev.backplane.model;

/**
 * Keras's {@code TopKCategoricalAccuracy}: the fraction of samples whose arg-max label is among
 * the {@code k} highest outputs (ties at the boundary count as in, as TF's {@code in_top_k}).
 *
 * @param k how many of the highest outputs count, default 5
 */
public record TopKCategoricalAccuracy(int k) implements Metric {
  /** Validates {@code k}. */
  public TopKCategoricalAccuracy {
    TopKState.checkK("TopKCategoricalAccuracy", k);
  }

  /** {@code TopKCategoricalAccuracy()}, {@code k = 5}. */
  public TopKCategoricalAccuracy() {
    this(Metric.TOP_K);
  }

  @Override
  public String kerasName() {
    return "top_k_categorical_accuracy";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    return new TopKState(k, outputs, false);
  }
}
