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
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The opened accelerate backend: one CPU device, {@code accelerate:cpu:0}, a fixed pool of
 * {@code backplane.threads} daemon compute threads, and either a native BLAS or the pure-Java
 * kernels (vectorized or scalar, as {@link Kernels} chose). {@link #close()} closes every
 * executable still open, stops the threads and frees native memory.
 */
public final class AccelerateBackend implements Backend {
  /** The backend's only device. */
  public static final Device DEVICE = Device.cpu(AccelerateProvider.ID, 0);
  private static final Logger LOG = Logger.getLogger("dev.backplane.accelerate");

  private final Kernels kernels;
  private final ComputePool pool;
  private final Gemm gemm;
  private final MatrixEngine engine;
  private final Set<AccelerateExecutable> open = ConcurrentHashMap.newKeySet();
  /** The Vector API engine {@link KernelChoice} weighs against the native one, else null. */
  private final MatrixEngine measuredJava;
  private final KernelChoice.Timer timer;
  private final KernelCache kernelCache;
  private final String machine;
  private final String detail;
  /** Per open executable: which kernels run its products, and why. */
  private final Map<Executable, String> kernelNotes = new ConcurrentHashMap<>();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private AccelerateBackend(Kernels kernels, ComputePool pool, boolean measure,
      KernelChoice.Timer timer, KernelCache kernelCache) {
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
    if (measure && kernels.isNative()) {
      this.measuredJava = MatrixEngine.java(new VectorGemm(pool));
      this.timer = timer != null ? timer : new GemmTimer(engine, measuredJava);
      this.kernelCache = kernelCache;
      this.machine = kernels.nativeGemm().library() + "|vector " + VectorGemm.vectorBits()
          + "|threads " + kernels.threads() + "|cpus " + Runtime.getRuntime().availableProcessors()
          + "|" + System.getProperty("os.arch") + "|OPENBLAS_CORETYPE="
          + System.getenv("OPENBLAS_CORETYPE") + "|java " + System.getProperty("java.version");
      this.detail = detail(kernels, true, kernelCache);
    } else {
      this.measuredJava = null;
      this.timer = null;
      this.kernelCache = null;
      this.machine = null;
      this.detail = kernels.detail();
    }
  }

  /**
   * Opens the backend for a context: pure Java when opened as the reference, else the kernels
   * {@code backplane.accelerate.blas} selects.
   *
   * @throws dev.backplane.BackendException when {@code native} is forced and cannot load
   */
  public static AccelerateBackend open(BackendContext context) {
    return open(context, null);
  }

  /** Whether {@code auto} times the native BLAS against the Vector API for this context. */
  static boolean measures(BackendContext context) {
    return !context.reference() && context.get(BlasMode.KEY) == BlasMode.AUTO
        && VectorSupport.present();
  }

  /** The device detail: the kernels, and under a measured {@code auto} how a model's are chosen. */
  static String detail(Kernels kernels, boolean measure, KernelCache cache) {
    if (!measure || !kernels.isNative()) {
      return kernels.detail();
    }
    return kernels.detail() + "; " + BlasMode.KEY.name() + "=auto: each model's matrix products"
        + " run on the faster of this and the Vector API kernels (" + VectorGemm.vectorBits()
        + "-bit), timed on its shapes when compiled"
        + (cache.persistent() ? " (cached in " + cache.file() + ")" : "");
  }

  /**
   * {@link #open(BackendContext)} with the timer {@link KernelChoice} uses under {@code auto}
   * given ({@code null}: the real {@link GemmTimer}); for tests.
   */
  static AccelerateBackend open(BackendContext context, KernelChoice.Timer timer) {
    ComputePool pool = new ComputePool(context.threads());
    try {
      boolean measure = measures(context);
      return new AccelerateBackend(Kernels.choose(context, pool), pool, measure, timer,
          measure ? KernelCache.of(context) : null);
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
    return List.of(new DeviceInfo(DEVICE, DeviceStatus.READY, detail));
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
    MatrixEngine chosen = engine;
    String note = kernels.detail();
    if (measuredJava != null) {
      String library = kernels.nativeGemm().library();
      String name = library.startsWith("OpenBLAS") ? "OpenBLAS"
          : library.startsWith(AppleAccelerateGemm.FRAMEWORK_NAME) ? "Apple Accelerate"
          : library.contains(" via ") ? library.substring(0, library.indexOf(" via ")) : library;
      try {
        KernelChoice.Verdict v = KernelChoice.choose(GraphCompiler.gemmShapes(
            GraphCompiler.compile(programs.train()), KernelChoice.BATCH), machine, timer,
            kernelCache);
        note = "model '" + spec.name() + "': " + v.describe(name);
        if (v.kernel() == KernelChoice.Kernel.JAVA) {
          chosen = measuredJava;
        }
      } catch (RuntimeException e) {
        // Timing is an optimisation: a model it cannot time runs on the native BLAS.
        note = "model '" + spec.name() + "': " + name + " kept; the timing failed: " + e;
      }
      if (logged.add(note.replaceAll("[0-9.]+ ms", ""))) {
        LOG.info("accelerate: " + note);
      }
    }
    AccelerateExecutable[] self = new AccelerateExecutable[1];
    self[0] = new AccelerateExecutable(DEVICE, spec, programs, chosen, pool,
        () -> {
          open.remove(self[0]);
          kernelNotes.remove(self[0]);
        });
    open.add(self[0]);
    kernelNotes.put(self[0], note);
    return self[0];
  }

  /**
   * Which kernels run the matrix products of an executable compiled here, and why: the device
   * detail's kernels, or under {@code auto} the measured verdict, e.g. "model 'mnist': the Vector
   * API kernels by measurement (OpenBLAS 2.1 ms, Vector API 1.6 ms ...)".
   *
   * @throws IllegalArgumentException when the executable is not open on this backend
   */
  public String kernels(Executable executable) {
    String note = kernelNotes.get(executable);
    if (note == null) {
      throw new IllegalArgumentException("Executable " + executable
          + " is not open on this backend");
    }
    return note;
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
