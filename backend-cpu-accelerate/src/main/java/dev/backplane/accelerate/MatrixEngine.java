package dev.backplane.accelerate;

/**
 * Where a compiled model keeps the matrices a matrix product touches, and how it multiplies
 * them: heap row arrays with a pure-Java {@link RowGemm} ({@link VectorGemm} or
 * {@link JavaGemm}), or off-heap buffers with a {@link NativeGemm}. Everything else (bias,
 * activations, losses, optimizers) is the same Java code on either.
 */
abstract class MatrixEngine {
  /** Multiplies on behalf of one thread; holds that thread's scratch. */
  interface Multiplier {
    /**
     * {@code C = op(A) · op(B)}, or {@code C += op(A) · op(B)} when {@code accumulate}, with the
     * shapes of {@link RowGemm.Multiplier#multiply}; each matrix's row width is its leading
     * dimension.
     */
    void multiply(boolean transA, boolean transB, int m, int n, int k, Mat a, Mat b, Mat c,
        boolean accumulate);
  }

  /** A matrix this engine can multiply. */
  abstract Mat allocate(int rows, int cols);

  /** A multiplier for one thread at a time. */
  abstract Multiplier newMultiplier();

  /** The engine on pure-Java kernels. */
  static MatrixEngine java(RowGemm gemm) {
    return new MatrixEngine() {
      @Override
      Mat allocate(int rows, int cols) {
        return new HeapMat(rows, cols);
      }

      @Override
      Multiplier newMultiplier() {
        RowGemm.Multiplier rows = gemm.newMultiplier();
        return (transA, transB, m, n, k, a, b, c, accumulate) -> rows.multiply(transA, transB, m,
            n, k, ((HeapMat) a).data, ((HeapMat) b).data, ((HeapMat) c).data, accumulate);
      }
    };
  }

  /** The engine on a native BLAS. */
  static MatrixEngine nativeBlas(NativeGemm gemm) {
    return new MatrixEngine() {
      @Override
      Mat allocate(int rows, int cols) {
        return new DirectMat(gemm, rows, cols);
      }

      @Override
      Multiplier newMultiplier() {
        return (transA, transB, m, n, k, a, b, c, accumulate) -> gemm.sgemm(transA, transB, m,
            n, k, 1f, ((DirectMat) a).buffer, a.cols, ((DirectMat) b).buffer, b.cols,
            accumulate ? 1f : 0f, ((DirectMat) c).buffer, c.cols);
      }
    };
  }
}
