package dev.backplane.model;

import java.util.Map;
import java.util.Optional;

/**
 * What {@link Sequential#evaluateDetailed} returns: Keras's {@code evaluate} logs and, for a
 * classifier, the confusion matrix of the same pass.
 *
 * @param logs the loss and metrics by Keras key
 * @param confusionMatrix the confusion matrix for a model with a classification loss
 *     ({@code binary_crossentropy} on one output, {@code categorical_crossentropy},
 *     {@code sparse_categorical_crossentropy}), else {@code null}
 */
public record Evaluation(Map<String, Double> logs, ConfusionMatrix confusionMatrix) {
  /** Copies the logs. */
  public Evaluation {
    logs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(logs));
  }

  /** The confusion matrix, when the model is a classifier. */
  public Optional<ConfusionMatrix> confusion() {
    return Optional.ofNullable(confusionMatrix);
  }
}
