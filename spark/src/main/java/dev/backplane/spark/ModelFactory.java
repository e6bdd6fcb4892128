package dev.backplane.spark;

import dev.backplane.model.Sequential;
import java.io.Serializable;

/**
 * Builds the model to train, compiled, on the driver and in every Spark task (so each task holds
 * a replica on its own best device). Serializable: Spark ships it to the executors, so capture
 * only serializable values (names, sizes, seeds), never a model or a Backplane.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
  /**
   * A new compiled model; the same layers, loss, optimizer and seed on every call.
   *
   * @return never {@code null}; the caller closes it
   */
  Sequential create();
}
