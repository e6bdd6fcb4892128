package dev.backplane.model;

/**
 * The mean-of-samples metrics with Keras's names, also reachable as {@link Metric#ACCURACY} and
 * so on. {@link #ACCURACY} is resolved at compile time the way Keras resolves
 * {@code 'accuracy'}: binary for {@code binary_crossentropy} or a single output,
 * sparse-categorical for {@code sparse_categorical_crossentropy}, categorical otherwise.
 */
public enum BuiltinMetric implements Metric {
  /** {@code 'accuracy'}, resolved against the loss at compile time. */
  ACCURACY("accuracy"),
  /** Fraction of outputs on the right side of 0.5. */
  BINARY_ACCURACY("binary_accuracy"),
  /** Fraction of samples whose arg-max output equals the arg-max label. */
  CATEGORICAL_ACCURACY("categorical_accuracy"),
  /** Fraction of samples whose arg-max output equals the integer label. */
  SPARSE_CATEGORICAL_ACCURACY("sparse_categorical_accuracy"),
  /** Mean squared error. */
  MSE("mse"),
  /** Mean absolute error. */
  MAE("mae"),
  /**
   * Fraction of samples whose arg-max label is among the {@link #TOP_K} highest outputs (ties
   * at the boundary count as in, as TF's {@code in_top_k}).
   */
  TOP_K_CATEGORICAL_ACCURACY("top_k_categorical_accuracy"),
  /** As {@link #TOP_K_CATEGORICAL_ACCURACY} with an integer label. */
  SPARSE_TOP_K_CATEGORICAL_ACCURACY("sparse_top_k_categorical_accuracy");

  /** Keras's default {@code k} of the top-k metrics. */
  public static final int TOP_K = 5;

  private final String kerasName;

  BuiltinMetric(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Keras's name; also the key in {@link History} and in progress output. */
  @Override
  public String kerasName() {
    return kerasName;
  }

  /**
   * The concrete metric {@code 'accuracy'} means for this loss and output width; any other
   * metric is returned as it is.
   */
  @Override
  public Metric resolve(Loss loss, int outputs) {
    if (this != ACCURACY) {
      return this;
    }
    if (loss.type() == Loss.Type.BINARY_CROSSENTROPY || outputs == 1) {
      return BINARY_ACCURACY;
    }
    return loss.sparseLabels() ? SPARSE_CATEGORICAL_ACCURACY : CATEGORICAL_ACCURACY;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    if (this == ACCURACY) {
      throw new IllegalStateException("Resolve 'accuracy' against the loss first");
    }
    return new MeanMetricState(this, outputs);
  }

  /** The constant with this Keras name or alias, or {@code null}. */
  static BuiltinMetric lookup(String key) {
    switch (key) {
      case "acc":
        return ACCURACY;
      case "mean_squared_error":
        return MSE;
      case "mean_absolute_error":
        return MAE;
      default:
        for (BuiltinMetric m : values()) {
          if (m.kerasName.equals(key)) {
            return m;
          }
        }
        return null;
    }
  }
}
