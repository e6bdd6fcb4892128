package dev.backplane.model;

/**
 * Keras's {@code F1Score}: {@link FBetaScore} with {@code beta = 1}, logged as
 * {@code f1_score}.
 *
 * @param average {@code null}, {@code "micro"}, {@code "macro"} or {@code "weighted"}
 * @param threshold Keras's {@code threshold}, or {@code NaN} for none
 */
public record F1Score(String average, double threshold) implements Metric {
  /** Validates the options. */
  public F1Score {
    new FBetaScore(average, 1, threshold);
  }

  /** {@code F1Score()}: one score per class, no threshold. */
  public F1Score() {
    this(null, Double.NaN);
  }

  /** {@code F1Score(average)} without a threshold. */
  public F1Score(String average) {
    this(average, Double.NaN);
  }

  @Override
  public String kerasName() {
    return "f1_score";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    return new FScoreState(average, 1, threshold, outputs, sparseLabels);
  }
}
