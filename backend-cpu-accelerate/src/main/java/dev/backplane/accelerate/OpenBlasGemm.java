package dev.backplane.accelerate;

import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * {@link NativeGemm} on OpenBLAS, loaded through the JavaCPP preset
 * ({@code org.bytedeco.openblas}). Buffers are JavaCPP {@link FloatPointer}s, passed to
 * {@code cblas_sgemm} by address.
 *
 * <p>Threads: OpenBLAS is set to one thread per call (a process-wide setting), and products of at
 * least {@value JavaGemm#PARALLEL_WORK} multiply-adds (and a depth of at least
 * {@value #MIN_SPLIT_DEPTH}) are cut into row or column blocks that the threads of the backend's
 * {@link ComputePool} claim, each block one single-threaded OpenBLAS call. OpenBLAS's own
 * workers spin-wait between calls; on a machine shared with other work (or with the pool's own
 * threads running the rest of a training step) that collapses its throughput, while blocks on
 * the pool degrade gracefully. Each output element is computed by one call, so the split is
 * deterministic for a given thread count.
 */
public final class OpenBlasGemm extends NativeGemmSupport {
  private static final Logger LOG = Logger.getLogger("dev.backplane.accelerate");
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;

  /** Columns per block are a multiple of this, to keep OpenBLAS's micro-kernels on full tiles. */
  private static final int BLOCK_ALIGN = 16;
  /** Blocks per thread a split product is cut into, claimed one at a time. */
  private static final int CHUNKS_PER_THREAD = 2;
  /**
   * Products shallower than this are not split: they are bound by writing C, and a split adds a
   * dispatch without sharing any arithmetic (measured: 128×512×10 took 41 µs in four column
   * blocks on two threads, 21 µs as one call).
   */
  static final int MIN_SPLIT_DEPTH = 32;

  private final String library;
  private final ComputePool pool;
  private final ReentrantLock splitting = new ReentrantLock();
  private final SplitTask task = new SplitTask();

  private OpenBlasGemm(String library, ComputePool pool) {
    this.library = library;
    this.pool = pool;
  }

  /**
   * Loads OpenBLAS (once per process), makes it single-threaded per call and returns a gemm that
   * splits large products over {@code pool}.
   *
   * @param pool the threads to split products over, or {@code null} for one thread
   * @throws LinkageError or another throwable when the native library cannot be loaded
   */
  public static OpenBlasGemm load(ComputePool pool) {
    Loader.load(openblas_nolapack.class);
    openblas_nolapack.blas_set_num_threads(1);
    String javacpp;
    try {
      javacpp = "JavaCPP " + Loader.getVersion();
    } catch (Exception | LinkageError e) {
      javacpp = "JavaCPP";
    }
    return new OpenBlasGemm(config() + " via " + javacpp, pool);
  }

  /**
   * OpenBLAS's own {@code openblas_get_config()} (version, core, build options), called through
   * JNA since the preset does not map it; the preset's compile-time version string if that fails.
   */
  private static String config() {
    try {
      Pointer fn = Loader.addressof("openblas_get_config");
      if (fn != null && !fn.isNull()) {
        String text = com.sun.jna.Function.getFunction(new com.sun.jna.Pointer(fn.address()))
            .invokeString(new Object[0], false);
        if (text != null && !text.isBlank()) {
          return text.trim();
        }
      }
    } catch (Exception | LinkageError e) {
      LOG.log(Level.FINE, "openblas_get_config() unavailable", e);
    }
    return openblas_nolapack.OPENBLAS_VERSION.trim();
  }

  @Override
  public String library() {
    return library;
  }

  /** The library and the threads products are split over, e.g. {@code "..., 2 threads"}. */
  @Override
  public String description() {
    int threads = pool == null ? 1 : pool.threads();
    return library + ", " + threads + (threads == 1 ? " thread" : " threads");
  }

  @Override
  public NativeBuffer allocate(long size) {
    return new Buffer(size);
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      NativeBuffer a, int lda, NativeBuffer b, int ldb, float beta, NativeBuffer c, int ldc) {
    checkBuffers(m, n, k, transA, transB, a, lda, b, ldb, c, ldc);
    if (m == 0 || n == 0) {
      return;
    }
    boolean large = (long) m * n * k >= JavaGemm.PARALLEL_WORK && k >= MIN_SPLIT_DEPTH
        && pool != null && pool.threads() > 1;
    int chunks = large ? CHUNKS_PER_THREAD * pool.threads() : 1;
    boolean byColumns = splitByColumns(m, n, chunks);
    if (large && (byColumns || m >= BLOCK_ALIGN * chunks) && splitting.tryLock()) {
      try {
        SplitTask t = task;
        int parts = pool.threads();
        t.set(transA, transB, m, n, k, alpha, buffer(a, parts), lda, buffer(b, parts), ldb, beta,
            buffer(c, parts), ldc, byColumns);
        pool.run(t, chunks);
        t.clear();
      } finally {
        splitting.unlock();
      }
      return;
    }
    call(transA, transB, m, n, k, alpha, pointer(a), lda, pointer(b), ldb, beta, pointer(c), ldc);
  }

  /**
   * Whether to cut an {@code m × n} product into column blocks rather than row blocks. Every
   * block packs its share of one operand and all of the other, so cutting the longer side of C
   * repeats the smaller packing: rows when {@code m >= n}. Measured on two threads with the
   * gradient {@code xᵀ · dz} of mnist-mlp's first layer (784×512×128, A transposed): 656 µs in
   * column blocks, 409 µs in row blocks.
   */
  static boolean splitByColumns(int m, int n, int chunks) {
    boolean rowsFit = m >= BLOCK_ALIGN * chunks;
    boolean columnsFit = n >= 2 * BLOCK_ALIGN * chunks;
    return columnsFit && (n > m || !rowsFit);
  }

  private static void call(boolean transA, boolean transB, int m, int n, int k, float alpha,
      FloatPointer a, int lda, FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  /** The buffer, with aliases for {@code parts} pool parts made before any part runs. */
  private static Buffer buffer(NativeBuffer x, int parts) {
    pointer(x);
    Buffer buffer = (Buffer) x;
    buffer.ensureAliases(parts);
    return buffer;
  }

  private static FloatPointer pointer(NativeBuffer x) {
    if (!(x instanceof Buffer buffer)) {
      throw new IllegalArgumentException("Buffer " + x + " was not allocated by OpenBlasGemm");
    }
    if (buffer.pointer.isNull()) {
      throw new IllegalStateException("Buffer is closed");
    }
    return buffer.pointer;
  }

  /**
   * One product cut into column blocks (or row blocks when narrow). The blocks are addressed
   * through per-thread alias pointers of the buffers, positioned per call, so nothing is
   * allocated; only the dispatch holding {@link #splitting} uses them.
   */
  private static final class SplitTask implements ComputePool.ChunkedTask {
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float alpha;
    private float beta;
    private Buffer a;
    private Buffer b;
    private Buffer c;
    private int lda;
    private int ldb;
    private int ldc;
    private boolean byColumns;

    void set(boolean transA, boolean transB, int m, int n, int k, float alpha, Buffer a, int lda,
        Buffer b, int ldb, float beta, Buffer c, int ldc, boolean byColumns) {
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      this.alpha = alpha;
      this.a = a;
      this.lda = lda;
      this.b = b;
      this.ldb = ldb;
      this.beta = beta;
      this.c = c;
      this.ldc = ldc;
      this.byColumns = byColumns;
    }

    void clear() {
      a = null;
      b = null;
      c = null;
    }

    @Override
    public void run(int chunk, int chunks, int part) {
      if (byColumns) {
        int from = boundary(n, chunk, chunks);
        int to = boundary(n, chunk + 1, chunks);
        if (to > from) {
          call(transA, transB, m, to - from, k, alpha, a.alias(0, part, 0), lda,
              b.alias(1, part, transB ? (long) from * ldb : from), ldb, beta,
              c.alias(2, part, from), ldc);
        }
      } else {
        int from = (int) ((long) m * chunk / chunks);
        int to = (int) ((long) m * (chunk + 1) / chunks);
        if (to > from) {
          call(transA, transB, to - from, n, k, alpha,
              a.alias(0, part, transA ? from : (long) from * lda), lda, b.alias(1, part, 0), ldb,
              beta, c.alias(2, part, (long) from * ldc), ldc);
        }
      }
    }

    private static int boundary(int n, int part, int parts) {
      if (part == parts) {
        return n;
      }
      return (int) ((long) n * part / parts) / BLOCK_ALIGN * BLOCK_ALIGN;
    }
  }

  /** A JavaCPP-allocated float array. */
  private static final class Buffer extends CountedBuffer {
    private final FloatPointer pointer;
    /** {@code aliases[role][part]}: one set per operand role, so A and B may be one buffer. */
    private FloatPointer[][] aliases = new FloatPointer[3][0];

    Buffer(long size) {
      super(size);
      this.pointer = new FloatPointer(size);
      if (pointer.isNull()) {
        throw new OutOfMemoryError("Cannot allocate " + size * 4 + " bytes off-heap");
      }
      pointer.zero();
      allocated(pointer.asBuffer());
    }

    /** Makes the aliases for {@code parts} parts; called by the dispatching thread. */
    void ensureAliases(int parts) {
      if (aliases[0].length < parts) {
        FloatPointer[][] grown = new FloatPointer[3][parts];
        for (FloatPointer[] role : grown) {
          for (int i = 0; i < parts; i++) {
            role[i] = new FloatPointer(pointer);
          }
        }
        aliases = grown;
      }
    }

    /**
     * A pointer to float {@code offset} of this buffer as operand {@code role} (0 A, 1 B, 2 C)
     * of pool part {@code part}: a reusable alias (no ownership), one per role and part, so they
     * are positioned independently.
     */
    FloatPointer alias(int role, int part, long offset) {
      return aliases[role][part].position(offset);
    }

    @Override
    void free() {
      pointer.close();
    }

    @Override
    public String toString() {
      return "OpenBLAS buffer of " + size() + " floats";
    }
  }
}
