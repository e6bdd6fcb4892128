package dev.backplane.conformance;

import dev.backplane.spi.ModelState;
import java.util.List;

/**
 * What training a {@link ModelCase} produced.
 *
 * @param epochLosses the mean training loss of each epoch, as {@code fit}'s history reports it
 *     (sum of the per-sample losses of every step, before its update, over the samples)
 * @param state the state after the last epoch
 */
public record Curve(List<Double> epochLosses, ModelState state) {
  /** Copies the list. */
  public Curve {
    epochLosses = List.copyOf(epochLosses);
  }
}
