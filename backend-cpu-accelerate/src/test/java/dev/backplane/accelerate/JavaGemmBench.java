package dev.backplane.accelerate;

import java.util.SplittableRandom;

/**
 * Times {@link JavaGemm#multiply} on square row-array products and prints GFLOP/s; asserts
 * nothing. Not a test (Surefire does not pick it up). Arguments: thread counts (default 1 2),
 * then sizes with an {@code s} prefix, e.g. {@code 1 2 s512 s1024 s2048}.
 */
public final class JavaGemmBench {
  private JavaGemmBench() {}

  public static void main(String[] args) {
    java.util.List<Integer> threads = new java.util.ArrayList<>();
    java.util.List<Integer> sizes = new java.util.ArrayList<>();
    for (String a : args) {
      if (a.startsWith("s")) {
        sizes.add(Integer.parseInt(a.substring(1)));
      } else {
        threads.add(Integer.parseInt(a));
      }
    }
    if (threads.isEmpty()) {
      threads = java.util.List.of(1, 2);
    }
    if (sizes.isEmpty()) {
      sizes = java.util.List.of(512, 1024, 2048);
    }
    for (int t : threads) {
      ComputePool pool = t > 1 ? new ComputePool(t) : null;
      JavaGemm gemm = new JavaGemm(pool);
      JavaGemm.Workspace ws = gemm.newWorkspace();
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
          gemm.multiply(ws, false, false, n, n, n, a, b, c, false);
        }
        double best = 0;
        for (int rep = 0; rep < reps; rep++) {
          long t0 = System.nanoTime();
          gemm.multiply(ws, false, false, n, n, n, a, b, c, false);
          best = Math.max(best, flops / (System.nanoTime() - t0));
        }
        System.out.printf("threads=%d n=%d: %.1f GFLOP/s best of %d%n", t, n, best, reps);
      }
      if (pool != null) {
        pool.close();
      }
    }
  }
}
