package dev.backplane.accelerate;

/**
 * The flat {@link Gemm#sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[],
 * int, int, float, float[], int, int) float[] entry point} of a {@link RowGemm}: copies the
 * operands into row arrays, multiplies them with the gemm's own kernels and writes
 * {@code alpha · op(A) · op(B) + beta · C} back. The row arrays and a multiplier are kept per
 * calling thread, so repeated calls allocate nothing.
 */
final class FlatRowStaging {
  /** One thread's row arrays and multiplier. */
  private static final class Stage {
    final RowGemm.Multiplier multiplier;
    float[][] a;
    float[][] b;
    float[][] c;

    Stage(RowGemm.Multiplier multiplier) {
      this.multiplier = multiplier;
    }
  }

  private final ThreadLocal<Stage> stages;

  /** Stages for {@code gemm}, whose multipliers are made on first use by each thread. */
  FlatRowStaging(RowGemm gemm) {
    this.stages = ThreadLocal.withInitial(() -> new Stage(gemm.newMultiplier()));
  }

  /** {@link Gemm#sgemm} through the row-array kernels. */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset,
      int ldc) {
    Gemm.checkArguments(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset,
        ldc);
    if (m == 0 || n == 0) {
      return;
    }
    Stage s = stages.get();
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    s.a = grow(s.a, aRows, aCols);
    s.b = grow(s.b, bRows, bCols);
    s.c = grow(s.c, m, n);
    copyRows(a, aOffset, lda, aRows, aCols, s.a);
    copyRows(b, bOffset, ldb, bRows, bCols, s.b);
    s.multiplier.multiply(transA, transB, m, n, k, s.a, s.b, s.c, false);
    for (int i = 0; i < m; i++) {
      float[] row = s.c[i];
      int base = cOffset + i * ldc;
      if (beta == 0f) {
        for (int j = 0; j < n; j++) {
          c[base + j] = alpha * row[j];
        }
      } else {
        for (int j = 0; j < n; j++) {
          c[base + j] = alpha * row[j] + beta * c[base + j];
        }
      }
    }
  }

  private static void copyRows(float[] x, int offset, int ld, int rows, int cols,
      float[][] dst) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(x, offset + r * ld, dst[r], 0, cols);
    }
  }

  /** Row arrays holding at least {@code rows × cols}, reusing {@code old} when it is big enough. */
  static float[][] grow(float[][] old, int rows, int cols) {
    if (old != null && old.length >= rows && (rows == 0 || old[0].length >= cols)) {
      return old;
    }
    int r = Math.max(rows, old == null ? 0 : old.length);
    int c = Math.max(cols, old == null || old.length == 0 ? 0 : old[0].length);
    return new float[r][c];
  }
}
