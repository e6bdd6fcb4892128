package dev.backplane.accelerate;

import java.nio.FloatBuffer;

/**
 * What the native {@link Gemm}s share: argument checks and the flat {@code float[]} entry point,
 * which copies the operands into off-heap staging buffers (grown on demand, kept until
 * {@link #close()}) and calls the buffer form. Calls through the flat form are serialized.
 */
abstract class NativeGemmSupport implements NativeGemm {
  private NativeBuffer stageA;
  private NativeBuffer stageB;
  private NativeBuffer stageC;
  private boolean closed;

  @Override
  public final synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta,
      float[] c, int cOffset, int ldc) {
    Gemm.checkArguments(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset,
        ldc);
    if (closed) {
      throw new IllegalStateException(description() + " is closed");
    }
    if (m == 0 || n == 0) {
      return;
    }
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    stageA = stage(stageA, a, aOffset, lda, aRows, aCols);
    stageB = stage(stageB, b, bOffset, ldb, bRows, bCols);
    stageC = ensure(stageC, (long) m * n);
    FloatBuffer cv = stageC.floats();
    if (beta != 0f) {
      for (int i = 0; i < m; i++) {
        cv.put(i * n, c, cOffset + i * ldc, n);
      }
    }
    sgemm(transA, transB, m, n, k, alpha, stageA, Math.max(1, aCols), stageB,
        Math.max(1, bCols), beta, stageC, n);
    for (int i = 0; i < m; i++) {
      cv.get(i * n, c, cOffset + i * ldc, n);
    }
  }

  private NativeBuffer stage(NativeBuffer buffer, float[] x, int offset, int ld, int rows,
      int cols) {
    NativeBuffer staged = ensure(buffer, (long) rows * cols);
    FloatBuffer view = staged.floats();
    for (int r = 0; r < rows; r++) {
      view.put(r * cols, x, offset + r * ld, cols);
    }
    return staged;
  }

  private NativeBuffer ensure(NativeBuffer buffer, long size) {
    if (buffer != null && buffer.size() >= size) {
      return buffer;
    }
    if (buffer != null) {
      buffer.close();
    }
    return allocate(Math.max(1, size));
  }

  /** Checks that a matrix fits its buffer; shared by the buffer forms. */
  static void checkFits(String name, NativeBuffer x, int ld, int rows, int cols) {
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException("Leading dimension of " + name + " is " + ld
          + " but its rows have " + cols + " values");
    }
    long needed = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    if (needed > x.size()) {
      throw new IllegalArgumentException(name + " (" + rows + " × " + cols + ", leading dimension "
          + ld + ") needs " + needed + " values but its buffer has " + x.size());
    }
  }

  static void checkBuffers(int m, int n, int k, boolean transA, boolean transB, NativeBuffer a,
      int lda, NativeBuffer b, int ldb, NativeBuffer c, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("Negative gemm dimension: m=" + m + ", n=" + n
          + ", k=" + k);
    }
    checkFits("A", a, lda, transA ? k : m, transA ? m : k);
    checkFits("B", b, ldb, transB ? n : k, transB ? k : n);
    checkFits("C", c, ldc, m, n);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (NativeBuffer s : new NativeBuffer[] {stageA, stageB, stageC}) {
      if (s != null) {
        s.close();
      }
    }
    stageA = null;
    stageB = null;
    stageC = null;
  }
}
