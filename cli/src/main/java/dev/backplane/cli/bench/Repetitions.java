package dev.backplane.cli.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * How many times to run each runner, and the interleaved loop that does it. Runners take turns
 * within each round, in an order shuffled every round (seeded, so runs repeat), so a neighbour's
 * load, thermal drift or the previous runner's lingering threads (BLAS and OpenMP workers spin
 * for a while after a call) affect every runner alike rather than whichever always ran next.
 *
 * @param warmup rounds run and discarded first (JIT, caches, thread pools, allocators)
 * @param measured rounds kept
 * @param settleMillis idle time before each run, for other runners' worker threads to go to sleep
 */
public record Repetitions(int warmup, int measured, long settleMillis) {
  /** Checks the counts. */
  public Repetitions {
    if (warmup < 0 || measured < 1 || settleMillis < 0) {
      throw new IllegalArgumentException("Warm-up must be >= 0, repetitions >= 1 and the settle"
          + " time >= 0, got " + warmup + ", " + measured + " and " + settleMillis + " ms");
    }
  }

  /** No settle time between runs. */
  public Repetitions(int warmup, int measured) {
    this(warmup, measured, 0);
  }

  /**
   * Runs every variant once per round; returns {@code [variant][measured round]}.
   */
  public double[][] run(List<? extends DoubleSupplier> variants) {
    int k = variants.size();
    double[][] results = new double[k][measured];
    List<Integer> order = new ArrayList<>();
    for (int v = 0; v < k; v++) {
      order.add(v);
    }
    Random random = new Random(k * 31L + measured);
    for (int round = 0; round < warmup + measured; round++) {
      Collections.shuffle(order, random);
      for (int v : order) {
        settle();
        double value = variants.get(v).getAsDouble();
        if (round >= warmup) {
          results[v][round - warmup] = value;
        }
      }
    }
    return results;
  }

  private void settle() {
    if (settleMillis == 0) {
      return;
    }
    try {
      Thread.sleep(settleMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted between benchmark runs", e);
    }
  }
}
