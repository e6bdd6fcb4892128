package dev.backplane.model;

/**
 * Keras's {@code FBetaScore}: per class, {@code (1 + beta^2) p r / (beta^2 p + r)} from the
 * precision {@code p} and recall {@code r} so far (with Keras's 1e-7 guards), a prediction
 * positive above {@code threshold} or, without one, when it is its row's maximum. Sparse labels
 * count as their one-hot. With {@code average} {@code null} (Keras's default) the result is one
 * value per class, logged as {@code fbeta_score[i]}.
 *
 * @param average {@code null}, {@code "micro"}, {@code "macro"} or {@code "weighted"}
 * @param beta the weight of recall, &gt; 0
 * @param threshold Keras's {@code threshold}, or {@code NaN} for none
 */
public record FBetaScore(String average, double beta, double threshold) implements Metric {
  /** Validates the options. */
  public FBetaScore {
    FScoreState.checkAverage("FBetaScore", average);
    if (!(beta > 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("FBetaScore beta must be a positive number, got "
          + beta);
    }
    if (!Double.isNaN(threshold) && !(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("FBetaScore threshold must be in (0, 1], got "
          + threshold);
    }
  }

  /** {@code FBetaScore(average, beta)} without a threshold. */
  public FBetaScore(String average, double beta) {
    this(average, beta, Double.NaN);
  }

  @Override
  public String kerasName() {
    return "fbeta_score";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    return new FScoreState(average, beta, threshold, outputs, sparseLabels);
  }
}
