package dev.backplane.io;

import dev.backplane.model.Loss;
import dev.backplane.model.Metric;
import dev.backplane.optimizer.Optimizer;
import java.util.List;
import java.util.Objects;

/**
 * How a saved model was compiled: optimizer, loss and metrics. Loading a file that holds one
 * compiles the model the same way, as Keras's {@code load_model} does.
 *
 * @param optimizer the optimizer with its hyper-parameters
 * @param loss the loss
 * @param metrics the metrics, in compile order
 */
public record TrainingConfig(Optimizer optimizer, Loss loss, List<Metric> metrics) {
  /** Validates and copies. */
  public TrainingConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(loss, "loss");
    metrics = List.copyOf(metrics);
  }
}
