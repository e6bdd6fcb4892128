/**
 * The accelerate CPU backend: Keras-style models on native CBLAS (Apple Accelerate on macOS,
 * OpenBLAS elsewhere) or on pure-Java kernels, which also make it the reference backend.
 *
 * <p>Entry point: {@link dev.backplane.accelerate.AccelerateProvider}, registered for
 * {@link java.util.ServiceLoader}. The kernels are chosen by {@code backplane.accelerate.blas}
 * ({@link dev.backplane.accelerate.BlasMode}); the matrix multiply in use is reachable for
 * benchmarks through {@link dev.backplane.accelerate.AccelerateBackend#gemm()}.
 */
package dev.backplane.accelerate;
