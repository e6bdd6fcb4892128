package dev.backplane.model;

import java.util.Locale;

/**
 * A training metric with Keras's name, computed on the host from each batch's outputs and labels,
 * so that every backend reports it by the same definition. The mean-of-samples metrics are the
 * {@link BuiltinMetric} constants, also reachable here ({@link #ACCURACY}, {@link #MSE}, ...);
 * the streaming ones are records with Keras's options: {@link Precision}, {@link Recall},
 * {@link Auc}, {@link F1Score}, {@link FBetaScore},
 * {@link TopKCategoricalAccuracy}, {@link SparseTopKCategoricalAccuracy}, {@link MeanIoU} and
 * {@link R2Score}. Names work in {@code compile} too ({@link #of}).
 *
 * <p>As Keras's {@code metrics} argument of {@code compile} (not {@code weighted_metrics}), metrics
 * ignore sample and class weights.
 */
public interface Metric {
  // No default methods: BuiltinMetric's initialisation must not initialise this interface, whose
  // constants read BuiltinMetric's (JLS 12.4.1).

  /** {@code 'accuracy'}, resolved against the loss at compile time. */
  BuiltinMetric ACCURACY = BuiltinMetric.ACCURACY;
  /** Keras {@code binary_accuracy}. */
  BuiltinMetric BINARY_ACCURACY = BuiltinMetric.BINARY_ACCURACY;
  /** Keras {@code categorical_accuracy}. */
  BuiltinMetric CATEGORICAL_ACCURACY = BuiltinMetric.CATEGORICAL_ACCURACY;
  /** Keras {@code sparse_categorical_accuracy}. */
  BuiltinMetric SPARSE_CATEGORICAL_ACCURACY = BuiltinMetric.SPARSE_CATEGORICAL_ACCURACY;
  /** Keras {@code mse}. */
  BuiltinMetric MSE = BuiltinMetric.MSE;
  /** Keras {@code mae}. */
  BuiltinMetric MAE = BuiltinMetric.MAE;
  /** Keras {@code top_k_categorical_accuracy} with {@code k = 5}. */
  BuiltinMetric TOP_K_CATEGORICAL_ACCURACY = BuiltinMetric.TOP_K_CATEGORICAL_ACCURACY;
  /** Keras {@code sparse_top_k_categorical_accuracy} with {@code k = 5}. */
  BuiltinMetric SPARSE_TOP_K_CATEGORICAL_ACCURACY =
      BuiltinMetric.SPARSE_TOP_K_CATEGORICAL_ACCURACY;
  /** Keras's default {@code k} of the top-k metrics. */
  int TOP_K = BuiltinMetric.TOP_K;

  /** Keras's name (the metric's default {@code name}); the key in {@link History} and logs. */
  String kerasName();

  /**
   * The concrete metric this one means for the loss and output width ({@code 'accuracy'}
   * becomes binary, categorical or sparse categorical); most metrics return themselves.
   *
   * @throws IllegalArgumentException if the metric cannot be computed for such a model
   */
  Metric resolve(Loss loss, int outputs);

  /**
   * A fresh accumulator for a model with {@code outputs} outputs per sample.
   *
   * @param sparseLabels whether labels are class indices (one value per sample)
   */
  MetricState newState(int outputs, boolean sparseLabels);

  /**
   * Looks a metric up by Keras name or alias ({@code acc}, {@code mean_squared_error},
   * {@code precision}, {@code auc}, {@code f1_score}, {@code r2_score}, ...), case-insensitively.
   * Names take Keras's defaults; {@code mean_iou} takes the model's outputs as its number of
   * classes when compiled.
   *
   * @throws IllegalArgumentException listing the known names
   */
  static Metric of(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    BuiltinMetric builtin = BuiltinMetric.lookup(key);
    if (builtin != null) {
      return builtin;
    }
    switch (key) {
      case "precision":
        return new Precision();
      case "recall":
        return new Recall();
      case "auc":
        return new Auc();
      case "f1_score":
        return new F1Score();
      case "fbeta_score":
      case "f_beta_score":
        return new FBetaScore(null, 1.0, Double.NaN);
      case "r2_score":
        return new R2Score();
      case "mean_iou":
      case "mean_io_u":
        return new MeanIoU(0);
      default:
        throw new IllegalArgumentException("Unknown metric '" + name + "'. Expected one of"
            + " accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,"
            + " mse, mae, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,"
            + " precision, recall, auc, f1_score, fbeta_score, r2_score, mean_iou");
    }
  }
}
