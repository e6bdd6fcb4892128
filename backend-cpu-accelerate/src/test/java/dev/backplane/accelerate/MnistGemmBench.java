package dev.backplane.accelerate;

/**
 * Times, on native OpenBLAS through {@link OpenBlasGemm} (split over a pool as in training), the
 * eight matrix products of one mnist-mlp training step at batch 128 and prints each product's
 * time and GFLOP/s and the step's total: the floor that gemm alone sets under a step. Asserts
 * nothing; not a test. Build the class path as for {@link AccelerateSpeedCheck}, then from the
 * repository root:
 *
 * <pre>
 * java -cp "$(cat backend-cpu-accelerate/target/speed.cp):backend-cpu-accelerate/target/classes\
 * :backend-cpu-accelerate/target/test-classes" dev.backplane.accelerate.MnistGemmBench [threads]
 * </pre>
 */
public final class MnistGemmBench {
  private MnistGemmBench() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int batch = 128;
    // {transA, transB, m, n, k}: forward of the three layers, then the kernel gradients
    // (xᵀ·dz) and input gradients (dz·Kᵀ) of the backward pass.
    int[][] shapes = {
        {0, 0, batch, 512, 784}, {0, 0, batch, 512, 512}, {0, 0, batch, 10, 512},
        {1, 0, 512, 10, batch}, {0, 1, batch, 512, 10}, {1, 0, 512, 512, batch},
        {0, 1, batch, 512, 512}, {1, 0, 784, 512, batch}};
    try (ComputePool pool = new ComputePool(threads)) {
      OpenBlasGemm gemm = OpenBlasGemm.load(pool);
      NativeBuffer[][] buffers = new NativeBuffer[shapes.length][3];
      for (int i = 0; i < shapes.length; i++) {
        int m = shapes[i][2];
        int n = shapes[i][3];
        int k = shapes[i][4];
        buffers[i][0] = filled(gemm, (long) m * k, 7);
        buffers[i][1] = filled(gemm, (long) k * n, 5);
        buffers[i][2] = gemm.allocate((long) m * n);
      }
      System.out.println("OpenBLAS, " + threads + (threads == 1 ? " thread" : " threads")
          + "; mnist-mlp step products at batch " + batch);
      for (int round = 0; round < 5; round++) {
        double stepNanos = 0;
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < shapes.length; i++) {
          boolean ta = shapes[i][0] == 1;
          boolean tb = shapes[i][1] == 1;
          int m = shapes[i][2];
          int n = shapes[i][3];
          int k = shapes[i][4];
          int calls = 300;
          for (int c = 0; c < 50; c++) {
            gemm.sgemm(ta, tb, m, n, k, 1f, buffers[i][0], ta ? m : k, buffers[i][1],
                tb ? k : n, 0f, buffers[i][2], n);
          }
          long t0 = System.nanoTime();
          for (int c = 0; c < calls; c++) {
            gemm.sgemm(ta, tb, m, n, k, 1f, buffers[i][0], ta ? m : k, buffers[i][1],
                tb ? k : n, 0f, buffers[i][2], n);
          }
          double nanos = (System.nanoTime() - t0) / (double) calls;
          stepNanos += nanos;
          lines.append(String.format("  %s%s %dx%dx%d: %.1f us, %.1f GFLOP/s%n", ta ? "T" : "N",
              tb ? "T" : "N", m, n, k, nanos / 1e3, 2.0 * m * n * k / nanos));
        }
        if (round == 4) {
          System.out.print(lines);
        }
        System.out.printf("round %d: %.3f ms of gemm per step%n", round, stepNanos / 1e6);
      }
      for (NativeBuffer[] b : buffers) {
        for (NativeBuffer x : b) {
          x.close();
        }
      }
      gemm.close();
    }
  }

  private static NativeBuffer filled(OpenBlasGemm gemm, long size, int period) {
    NativeBuffer b = gemm.allocate(size);
    for (int j = 0; j < size; j++) {
      b.floats().put(j, (j % period) * 0.01f);
    }
    return b;
  }
}
