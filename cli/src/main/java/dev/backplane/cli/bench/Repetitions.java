package dev.backplane.cli.bench;

import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * How many times to run each runner, and the interleaved loop that does it. Runners take turns
 * within each round, in an order rotated every round, so a neighbour's load or thermal drift
 * affects every runner alike rather than whichever ran last.
 *
 * @param warmup rounds run and discarded first (JIT, caches, thread pools, allocators)
 * @param measured rounds kept
 */
public record Repetitions(int warmup, int measured) {
  /** Checks the counts. */
  public Repetitions {
    if (warmup < 0 || measured < 1) {
      throw new IllegalArgumentException("Warm-up must be >= 0 and repetitions >= 1, got "
          + warmup + " and " + measured);
    }
  }

  /**
   * Runs every variant once per round; returns {@code [variant][measured round]}.
   */
  public double[][] run(List<? extends DoubleSupplier> variants) {
    int k = variants.size();
    double[][] results = new double[k][measured];
    for (int round = 0; round < warmup + measured; round++) {
      for (int j = 0; j < k; j++) {
        int v = (j + round) % k;
        double value = variants.get(v).getAsDouble();
        if (round >= warmup) {
          results[v][round - warmup] = value;
        }
      }
    }
    return results;
  }
}
