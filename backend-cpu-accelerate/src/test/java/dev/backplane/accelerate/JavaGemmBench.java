package dev.backplane.accelerate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times the pure-Java matrix products ({@link RowGemm.Multiplier#multiply}) on square row-array
 * products and prints GFLOP/s; asserts nothing. Not a test (Surefire does not pick it up).
 * Arguments: {@code scalar} and/or {@code vector} (default: both, {@code vector} only when the
 * JVM has {@code jdk.incubator.vector}), thread counts (default 1 2), then sizes with an
 * {@code s} prefix, e.g. {@code vector 1 2 s512 s1024 s2048}. Build the class path as for
 * {@link AccelerateSpeedCheck}, then from the repository root:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "$(cat backend-cpu-accelerate/target/speed.cp)\
 * :backend-cpu-accelerate/target/classes:backend-cpu-accelerate/target/test-classes" \
 *     dev.backplane.accelerate.JavaGemmBench [scalar] [vector] [threads ...] [sN ...]
 * </pre>
 */
public final class JavaGemmBench {
  private JavaGemmBench() {}

  public static void main(String[] args) {
    List<Integer> threads = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    for (String a : args) {
      if (a.equals("scalar") || a.equals("vector")) {
        kinds.add(a);
      } else if (a.startsWith("s")) {
        sizes.add(Integer.parseInt(a.substring(1)));
      } else {
        threads.add(Integer.parseInt(a));
      }
    }
    if (kinds.isEmpty()) {
      kinds = VectorSupport.present() ? List.of("scalar", "vector") : List.of("scalar");
    }
    if (threads.isEmpty()) {
      threads = List.of(1, 2);
    }
    if (sizes.isEmpty()) {
      sizes = List.of(512, 1024, 2048);
    }
    for (String kind : kinds) {
      for (int t : threads) {
        ComputePool pool = t > 1 ? new ComputePool(t) : null;
        RowGemm gemm = kind.equals("vector") ? new VectorGemm(pool) : new JavaGemm(pool);
        RowGemm.Multiplier multiplier = gemm.newMultiplier();
        for (int n : sizes) {
          SplittableRandom r = new SplittableRandom(n);
          float[][] a = new float[n][n];
          float[][] b = new float[n][n];
          float[][] c = new float[n][n];
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              a[i][j] = (float) r.nextDouble(-1, 1);
              b[i][j] = (float) r.nextDouble(-1, 1);
            }
          }
          double flops = 2.0 * n * n * n;
          int reps = Math.max(3, (int) (3e10 / flops));
          long end = System.nanoTime() + 2_000_000_000L;
          while (System.nanoTime() < end) {
            multiplier.multiply(false, false, n, n, n, a, b, c, false);
          }
          double best = 0;
          for (int rep = 0; rep < reps; rep++) {
            long t0 = System.nanoTime();
            multiplier.multiply(false, false, n, n, n, a, b, c, false);
            best = Math.max(best, flops / (System.nanoTime() - t0));
          }
          System.out.printf("%s threads=%d n=%d: %.1f GFLOP/s best of %d%n", kind, t, n, best,
              reps);
        }
        if (pool != null) {
          pool.close();
        }
      }
    }
  }
}
