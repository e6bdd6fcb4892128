package dev.backplane.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Times square {@code C = A · B} in GFLOP/s ({@code 2n³} operations per product): one repetition
 * multiplies back to back until a time budget has passed (at least once) and reports the rate.
 */
public final class GemmBench {
  /** The sizes of the full benchmark. */
  public static final int[] SIZES = {128, 512, 1024, 2048};

  private GemmBench() {}

  /**
   * Measures every runner at every size, interleaved per size; rows named {@code gemm/<n>}.
   *
   * @param budgetMillis how long one repetition keeps multiplying
   */
  public static List<BenchRow> run(List<? extends GemmRunner> runners, int[] sizes,
      Repetitions reps, long budgetMillis) {
    List<BenchRow> rows = new ArrayList<>();
    for (int n : sizes) {
      List<DoubleSupplier> variants = new ArrayList<>();
      for (GemmRunner r : runners) {
        variants.add(() -> rate(r, n, budgetMillis));
      }
      for (GemmRunner r : runners) {
        r.prepare(n);
      }
      double[][] values = reps.run(variants);
      for (int i = 0; i < runners.size(); i++) {
        rows.add(new BenchRow(Workload.GEMM.id() + "/" + n, runners.get(i).name(),
            runners.get(i).threads(), Unit.GFLOPS, Stats.of(values[i])));
      }
    }
    return rows;
  }

  private static double rate(GemmRunner r, int n, long budgetMillis) {
    r.beforeRun();
    try {
      long t0 = System.nanoTime();
      long deadline = t0 + budgetMillis * 1_000_000;
      long calls = 0;
      long now;
      do {
        r.multiply();
        calls++;
        now = System.nanoTime();
      } while (now < deadline);
      return 2.0 * n * n * (double) n * calls / (now - t0);
    } finally {
      r.afterRun();
    }
  }

  /** Seeded values in [-1, 1) for a matrix of {@code count} entries. */
  public static float[] matrix(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] m = new float[count];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) random.nextDouble(-1, 1);
    }
    return m;
  }
}
