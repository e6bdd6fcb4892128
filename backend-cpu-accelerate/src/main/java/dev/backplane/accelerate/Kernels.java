package dev.backplane.accelerate;

import dev.backplane.BackendException;
import dev.backplane.spi.BackendContext;
import java.util.function.Function;

/**
 * The kernel choice for a context, shared by probe and open: reference → pure Java always;
 * otherwise {@code backplane.accelerate.blas} decides ({@link BlasMode}).
 *
 * @param nativeGemm the native BLAS to use, or {@code null} for the pure-Java kernels
 * @param threads the compute threads
 * @param detail the device detail line naming what computes
 */
record Kernels(NativeGemm nativeGemm, int threads, String detail) {
  /**
   * Chooses the kernels, loading the native BLAS when the mode asks for it.
   *
   * @param pool the backend's compute threads, or {@code null} when only probing
   * @throws BackendException when {@code native} was forced and no native BLAS loads
   */
  static Kernels choose(BackendContext context, ComputePool pool) {
    return choose(context, pool, NativeBlas::load);
  }

  /** {@link #choose(BackendContext, ComputePool)} with the native loader given (for tests). */
  static Kernels choose(BackendContext context, ComputePool pool,
      Function<ComputePool, NativeGemm> nativeLoader) {
    int threads = context.threads();
    String javaDetail = "pure Java kernels, " + threads + (threads == 1 ? " thread" : " threads");
    if (context.reference()) {
      return new Kernels(null, threads, "pure Java kernels (reference), " + threads
          + (threads == 1 ? " thread" : " threads"));
    }
    BlasMode mode = context.get(BlasMode.KEY);
    if (mode == BlasMode.JAVA) {
      return new Kernels(null, threads, javaDetail + " (" + BlasMode.KEY.name() + "=java)");
    }
    try {
      NativeGemm gemm = nativeLoader.apply(pool);
      return new Kernels(gemm, threads, gemm.library() + ", " + threads
          + (threads == 1 ? " thread" : " threads"));
    } catch (NativeBlas.NativeBlasUnavailableException e) {
      if (mode == BlasMode.NATIVE) {
        throw new BackendException(null, "Backend 'accelerate' cannot use native BLAS as "
            + BlasMode.KEY.name() + "=native requires: " + e.getMessage()
            + ". Use " + BlasMode.KEY.name() + "=auto or =java for the pure Java kernels.",
            e.getCause());
      }
      NativeBlas.logFallbackOnce(e.getCause());
      return new Kernels(null, threads, "pure Java kernels (native BLAS unavailable: "
          + NativeBlas.describe(e.getCause()) + "), " + threads
          + (threads == 1 ? " thread" : " threads"));
    }
  }

  /** Whether a native BLAS computes. */
  boolean isNative() {
    return nativeGemm != null;
  }
}
