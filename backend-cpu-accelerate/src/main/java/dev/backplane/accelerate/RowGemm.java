package dev.backplane.accelerate;

/**
 * A pure-Java {@link Gemm} that also multiplies matrices held as arrays of row arrays, the form
 * of {@link HeapMat}: the scalar {@link JavaGemm}, or {@link VectorGemm} when the JVM has the
 * Vector API. {@link MatrixEngine#java} drives training and inference through it.
 */
interface RowGemm extends Gemm {
  /** Multiplies on behalf of one thread at a time; holds that thread's scratch. */
  interface Multiplier {
    /**
     * {@code C = op(A) · op(B)}, or {@code C += op(A) · op(B)} when {@code accumulate}:
     * {@code op(A)} is {@code m × k} (stored as {@code k} rows of {@code m} when
     * {@code transA}), {@code op(B)} is {@code k × n} (stored {@code n × k} when
     * {@code transB}), {@code C} is {@code m} rows of at least {@code n}. Rows may be longer
     * than used; only the first {@code m × n} values of {@code C} change. {@code C} must not
     * share rows with {@code A} or {@code B}. Results are the same bits for any thread count.
     */
    void multiply(boolean transA, boolean transB, int m, int n, int k, float[][] a, float[][] b,
        float[][] c, boolean accumulate);
  }

  /** A multiplier with its own scratch, reused so that steady-state calls allocate nothing. */
  Multiplier newMultiplier();

  /** The parallelism products are split over. */
  int threads();
}
