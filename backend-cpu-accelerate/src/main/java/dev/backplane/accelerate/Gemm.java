package dev.backplane.accelerate;

/**
 * Single-precision general matrix multiply on row-major host arrays, the one kernel the CPU
 * backend's heavy lifting rests on:
 * {@code C = alpha · op(A) · op(B) + beta · C}, where {@code op(X)} is {@code X} or its transpose.
 *
 * <p>{@code op(A)} is {@code m × k}, {@code op(B)} is {@code k × n} and {@code C} is
 * {@code m × n}. Matrices are stored row-major from an offset with a leading dimension (the
 * distance between rows): {@code A} is stored {@code m × k} ({@code k × m} when transposed) with
 * {@code lda} at least its stored column count, and so on, as in CBLAS with
 * {@code CblasRowMajor}. When {@code beta} is 0, {@code C} is not read (NaNs in it do not
 * propagate).
 *
 * <p>Implementations are thread-safe. Obtain the backend's instance with
 * {@link AccelerateBackend#gemm()}.
 */
public interface Gemm {
  /** What computes, e.g. {@code "OpenBLAS 0.3.28 via JavaCPP 1.5.11, 2 threads"}. */
  String description();

  /**
   * {@code C = alpha · op(A) · op(B) + beta · C} on row-major arrays.
   *
   * @throws IllegalArgumentException if a dimension is negative, a leading dimension too small,
   *     or an array too short for the matrix it holds
   */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset,
      int ldc);

  /**
   * {@code C = A · B} for dense row-major {@code A (m × k)}, {@code B (k × n)} and
   * {@code C (m × n)}.
   */
  default void multiply(int m, int n, int k, float[] a, float[] b, float[] c) {
    sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
  }

  /** Checks the arguments of {@link #sgemm}; shared by the implementations. */
  static void checkArguments(boolean transA, boolean transB, int m, int n, int k, float[] a,
      int aOffset, int lda, float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("Negative gemm dimension: m=" + m + ", n=" + n
          + ", k=" + k);
    }
    checkMatrix("A", a, aOffset, lda, transA ? k : m, transA ? m : k);
    checkMatrix("B", b, bOffset, ldb, transB ? n : k, transB ? k : n);
    checkMatrix("C", c, cOffset, ldc, m, n);
  }

  private static void checkMatrix(String name, float[] x, int offset, int ld, int rows, int cols) {
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException("Leading dimension of " + name + " is " + ld
          + " but its rows have " + cols + " values");
    }
    if (rows == 0 || cols == 0) {
      return;
    }
    long last = offset + (long) (rows - 1) * ld + cols;
    if (offset < 0 || last > x.length) {
      throw new IllegalArgumentException(name + " (" + rows + " × " + cols + ", leading dimension "
          + ld + ", offset " + offset + ") needs " + last + " values but its array has "
          + x.length);
    }
  }
}
