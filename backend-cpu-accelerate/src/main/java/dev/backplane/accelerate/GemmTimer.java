package dev.backplane.accelerate;

/**
 * The real {@link KernelChoice.Timer}: multiplies matrices of the shape on each engine until
 * the best time settles (at least {@link #MIN_RUNS} runs, {@link #STABLE} without a gain) or
 * {@link #BUDGET_NANOS} pass, and answers the fastest run. Operands are filled with small fixed values, so no run meets denormals or NaNs.
 */
final class GemmTimer implements KernelChoice.Timer {
  static final int MIN_RUNS = 20;
  static final int STABLE = 10;
  static final long BUDGET_NANOS = 400_000_000L;

  private final MatrixEngine nativeEngine;
  private final MatrixEngine javaEngine;

  GemmTimer(MatrixEngine nativeEngine, MatrixEngine javaEngine) {
    this.nativeEngine = nativeEngine;
    this.javaEngine = javaEngine;
  }

  @Override
  public long nanos(KernelChoice.Kernel kernel, GemmShape s) {
    MatrixEngine engine = kernel == KernelChoice.Kernel.NATIVE ? nativeEngine : javaEngine;
    if (kernel == KernelChoice.Kernel.JAVA) {
      warmUp(javaEngine);
    }
    int aRows = s.transA() ? s.k() : s.m();
    int aCols = s.transA() ? s.m() : s.k();
    int bRows = s.transB() ? s.n() : s.k();
    int bCols = s.transB() ? s.k() : s.n();
    try (Mat a = filled(engine, aRows, aCols); Mat b = filled(engine, bRows, bCols);
        Mat c = engine.allocate(Math.max(1, s.m()), Math.max(1, s.n()))) {
      MatrixEngine.Multiplier mm = engine.newMultiplier();
      // Run until the best time has not improved for STABLE runs after at least MIN_RUNS (the
      // JIT may still be compiling the pure-Java kernel's paths for this shape), or the budget
      // is spent; the best run is the answer.
      long best = Long.MAX_VALUE;
      long start = System.nanoTime();
      int stable = 0;
      for (int r = 0; (r < MIN_RUNS || stable < STABLE) && System.nanoTime() - start
          < BUDGET_NANOS; r++) {
        long t0 = System.nanoTime();
        mm.multiply(s.transA(), s.transB(), s.m(), s.n(), s.k(), a, b, c, false);
        long t = System.nanoTime() - t0;
        if (t < best * 0.95) {
          stable = 0;
        } else {
          stable++;
        }
        best = Math.min(best, t);
      }
      return best;
    }
  }

  /** Whether {@link #warmUp} ran in this JVM. */
  private static volatile boolean warm;

  /**
   * Before its first timing in a JVM, the pure-Java gemm runs small products of every transpose
   * form until the JIT has compiled it (the best time stops improving for
   * {@link #STABLE_CALLS} calls) or {@link #WARM_NANOS} pass: interpreted Vector API code is a
   * hundred times slower than compiled, and would lose every timing it took part in.
   */
  private static synchronized void warmUp(MatrixEngine engine) {
    if (warm) {
      return;
    }
    int d = 64;
    try (Mat a = filled(engine, d, d); Mat b = filled(engine, d, d);
        Mat c = engine.allocate(d, d)) {
      MatrixEngine.Multiplier mm = engine.newMultiplier();
      long start = System.nanoTime();
      long best = Long.MAX_VALUE;
      int stable = 0;
      for (int i = 0; stable < STABLE_CALLS && System.nanoTime() - start < WARM_NANOS; i++) {
        long t0 = System.nanoTime();
        mm.multiply((i & 1) != 0, (i & 2) != 0, d, d, d, a, b, c, false);
        long t = System.nanoTime() - t0;
        if (t < best * 0.95) {
          best = t;
          stable = 0;
        } else {
          stable++;
        }
      }
    }
    warm = true;
  }

  static final int STABLE_CALLS = 400;
  static final long WARM_NANOS = 3_000_000_000L;

  private static Mat filled(MatrixEngine engine, int rows, int cols) {
    Mat m = engine.allocate(Math.max(1, rows), Math.max(1, cols));
    float[] row = new float[Math.max(1, cols)];
    for (int j = 0; j < row.length; j++) {
      row[j] = ((j * 7) % 13 - 6) / 64f;
    }
    for (int r = 0; r < rows; r++) {
      m.writeRows(r, r + 1, row, 0);
    }
    return m;
  }
}
