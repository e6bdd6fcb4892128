package dev.backplane.accelerate;

/**
 * A {@link Gemm} backed by a native CBLAS, which can also multiply matrices that live in its own
 * off-heap {@link NativeBuffer}s: no copy and no pinning per call, which is what makes the native
 * path pay off for whole training steps. The flat {@link #sgemm(boolean, boolean, int, int, int,
 * float, float[], int, int, float[], int, int, float, float[], int, int) float[] form} stages
 * through off-heap copies and is meant for occasional callers.
 *
 * <p>Closing releases the staging memory; buffers it allocated are closed by their owners.
 */
public interface NativeGemm extends Gemm, AutoCloseable {
  /** The library and how it is bound, e.g. {@code "OpenBLAS 0.3.28 ... via JavaCPP 1.5.11"}. */
  String library();

  /** Allocates {@code size} zeroed floats of off-heap memory this BLAS can read and write. */
  NativeBuffer allocate(long size);

  /**
   * {@code C = alpha · op(A) · op(B) + beta · C} on row-major matrices stored from the start of
   * buffers this instance allocated, with the layout rules of {@link Gemm}.
   *
   * @throws IllegalArgumentException if a buffer is too small or was not allocated here
   */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, NativeBuffer a,
      int lda, NativeBuffer b, int ldb, float beta, NativeBuffer c, int ldc);

  /** Releases staging memory. Idempotent. */
  @Override
  void close();
}
