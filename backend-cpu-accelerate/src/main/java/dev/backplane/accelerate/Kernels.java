package dev.backplane.accelerate;

import dev.backplane.BackendException;
import dev.backplane.spi.BackendContext;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The kernel choice for a context, shared by probe and open: reference → the scalar pure-Java
 * kernels always; otherwise {@code backplane.accelerate.blas} decides ({@link BlasMode}). Pure
 * Java means {@link VectorGemm} when the JVM has the Vector API ({@link VectorSupport}), else the
 * scalar {@link JavaGemm}; the detail line says which, and how to get the vectorized ones.
 *
 * <p>The reference stays scalar even where the Vector API is present, so that its results are the
 * same bits in every JVM however it was started (a canary verdict or a conformance reference does
 * not depend on a JVM option), and so that the vectorized kernels are checked against an
 * independent implementation rather than against themselves. Reference workloads are small; its
 * speed does not matter.
 *
 * @param nativeGemm the native BLAS to use, or {@code null} for the pure-Java kernels
 * @param vector whether the pure-Java kernels are {@link VectorGemm} (else {@link JavaGemm})
 * @param threads the compute threads
 * @param detail the device detail line naming what computes
 */
record Kernels(NativeGemm nativeGemm, boolean vector, int threads, String detail) {
  /**
   * Chooses the kernels, loading the native BLAS when the mode asks for it.
   *
   * @param pool the backend's compute threads, or {@code null} when only probing
   * @throws BackendException when {@code native} was forced and no native BLAS loads
   */
  static Kernels choose(BackendContext context, ComputePool pool) {
    return choose(context, pool, NativeBlas::load, VectorSupport::present);
  }

  /** {@link #choose(BackendContext, ComputePool)} with the native loader given (for tests). */
  static Kernels choose(BackendContext context, ComputePool pool,
      Function<ComputePool, NativeGemm> nativeLoader) {
    return choose(context, pool, nativeLoader, VectorSupport::present);
  }

  /**
   * {@link #choose(BackendContext, ComputePool)} with the native loader and the Vector API check
   * given (for tests; the check may answer {@code true} only where the module is present).
   */
  static Kernels choose(BackendContext context, ComputePool pool,
      Function<ComputePool, NativeGemm> nativeLoader, BooleanSupplier vectorApi) {
    int threads = context.threads();
    String count = threads + (threads == 1 ? " thread" : " threads");
    if (context.reference()) {
      return new Kernels(null, false, threads, "pure Java kernels (reference, scalar), " + count);
    }
    BlasMode mode = context.get(BlasMode.KEY);
    if (mode == BlasMode.JAVA) {
      boolean vector = vectorApi.getAsBoolean();
      return new Kernels(null, vector, threads, "pure Java kernels (" + javaKind(vector) + "), "
          + count + " (" + BlasMode.KEY.name() + "=java)");
    }
    try {
      NativeGemm gemm = nativeLoader.apply(pool);
      return new Kernels(gemm, false, threads, gemm.library() + ", " + count);
    } catch (NativeBlas.NativeBlasUnavailableException e) {
      if (mode == BlasMode.NATIVE) {
        throw new BackendException(null, "Backend 'accelerate' cannot use native BLAS as "
            + BlasMode.KEY.name() + "=native requires: " + e.getMessage()
            + ". Use " + BlasMode.KEY.name() + "=auto or =java for the pure Java kernels.",
            e.getCause());
      }
      NativeBlas.logFallbackOnce(e.getCause());
      boolean vector = vectorApi.getAsBoolean();
      return new Kernels(null, vector, threads, "pure Java kernels (" + javaKind(vector)
          + "; native BLAS unavailable: " + NativeBlas.describe(e.getCause()) + "), " + count);
    }
  }

  /** Which pure-Java kernels, for the detail line; loads {@link VectorGemm} only if asked for. */
  private static String javaKind(boolean vector) {
    return vector ? "Vector API, " + VectorGemm.vectorBits() + "-bit"
        : "scalar; run with " + VectorSupport.OPTION + " for the vectorized ones";
  }

  /** Whether a native BLAS computes. */
  boolean isNative() {
    return nativeGemm != null;
  }

  /**
   * The pure-Java matrix product this choice names, on {@code pool}: {@link VectorGemm} (loaded
   * only here, only when chosen) or {@link JavaGemm}.
   *
   * @throws IllegalStateException when a native BLAS was chosen
   */
  RowGemm newJavaGemm(ComputePool pool) {
    if (isNative()) {
      throw new IllegalStateException("Native BLAS computes: " + detail);
    }
    return vector ? new VectorGemm(pool) : new JavaGemm(pool);
  }
}
