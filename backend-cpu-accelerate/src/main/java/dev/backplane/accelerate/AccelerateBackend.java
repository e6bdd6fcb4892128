package dev.backplane.accelerate;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.model.Programs;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.OpSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The opened accelerate backend: one CPU device, {@code accelerate:cpu:0}, a fixed pool of
 * {@code backplane.threads} daemon compute threads, and either a native BLAS or the pure-Java
 * kernels (vectorized or scalar, as {@link Kernels} chose). {@link #close()} closes every
 * executable still open, stops the threads and frees native memory.
 */
public final class AccelerateBackend implements Backend {
  /** The backend's only device. */
  public static final Device DEVICE = Device.cpu(AccelerateProvider.ID, 0);

  private final Kernels kernels;
  private final ComputePool pool;
  private final Gemm gemm;
  private final MatrixEngine engine;
  private final Set<AccelerateExecutable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private AccelerateBackend(Kernels kernels, ComputePool pool) {
    this.kernels = kernels;
    this.pool = pool;
    if (kernels.isNative()) {
      this.gemm = kernels.nativeGemm();
      this.engine = MatrixEngine.nativeBlas(kernels.nativeGemm());
    } else {
      RowGemm javaGemm = kernels.newJavaGemm(pool);
      this.gemm = javaGemm;
      this.engine = MatrixEngine.java(javaGemm);
    }
  }

  /**
   * Opens the backend for a context: pure Java when opened as the reference, else the kernels
   * {@code backplane.accelerate.blas} selects.
   *
   * @throws dev.backplane.BackendException when {@code native} is forced and cannot load
   */
  public static AccelerateBackend open(BackendContext context) {
    ComputePool pool = new ComputePool(context.threads());
    try {
      return new AccelerateBackend(Kernels.choose(context, pool), pool);
    } catch (RuntimeException | Error e) {
      pool.close();
      throw e;
    }
  }

  @Override
  public String id() {
    return AccelerateProvider.ID;
  }

  @Override
  public List<DeviceInfo> devices() {
    return List.of(new DeviceInfo(DEVICE, DeviceStatus.READY, kernels.detail()));
  }

  /** Whether the matrix products run on a native BLAS (else on the pure-Java kernels). */
  public boolean usesNativeBlas() {
    return kernels.isNative();
  }

  /** The matrix multiply this backend computes with, for benchmarks and tools. */
  public Gemm gemm() {
    ensureOpen();
    return gemm;
  }

  /** Compute threads of this backend (alive until {@link #close()}). */
  public int threads() {
    return pool.threads();
  }

  /** Whether every compute thread has ended; true after {@link #close()}. */
  public boolean isTerminated() {
    return closed && pool.isTerminated();
  }

  @Override
  public Executable compile(ModelSpec spec, Device device) {
    Objects.requireNonNull(spec, "spec");
    ensureOpen();
    if (!DEVICE.equals(device)) {
      throw new IllegalArgumentException("Backend '" + id() + "' has no device " + device
          + "; its only device is " + DEVICE);
    }
    if (spec.layers().isEmpty()) {
      throw new IllegalArgumentException("Model '" + spec.name() + "' has no layers");
    }
    Programs programs = spec.programs();
    OpSupport.require(id(), programs, supportedOps());
    AccelerateExecutable[] self = new AccelerateExecutable[1];
    self[0] = new AccelerateExecutable(DEVICE, spec, programs, engine, pool,
        () -> open.remove(self[0]));
    open.add(self[0]);
    return self[0];
  }

  /** Executables compiled here and not yet closed. */
  int openExecutables() {
    return open.size();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Backend '" + id() + "' is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AccelerateExecutable e : new ArrayList<>(open)) {
      e.close();
    }
    pool.close();
    if (kernels.isNative()) {
      kernels.nativeGemm().close();
    }
  }

  /** The ops {@link GraphCompiler} implements; a program with any other is refused at compile. */
  static final Set<String> SUPPORTED = Set.of("input", "variable", "constant", "random_uniform",
      "neg", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "tanh", "sigmoid", "erf",
      "abs", "sign", "relu", "add", "sub", "mul", "div", "maximum", "minimum", "pow", "greater",
      "greater_equal", "less", "less_equal", "equal", "where", "clip", "cast", "stop_gradient",
      "softmax", "log_softmax", "sum", "mean", "max", "matmul", "reshape", "transpose",
      "broadcast_like", "slice", "pad", "concat", "numel", "gather", "segment_sum", "one_hot",
      "broadcast_to", "conv", "conv_input_grad", "conv_kernel_grad", "max_pool", "max_pool_grad",
      "avg_pool", "avg_pool_grad");

  @Override
  public Set<String> supportedOps() {
    return SUPPORTED;
  }
}
