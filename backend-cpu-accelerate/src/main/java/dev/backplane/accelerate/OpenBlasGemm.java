package dev.backplane.accelerate;

import java.nio.FloatBuffer;
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
 * <p>OpenBLAS keeps one thread pool per process: {@link #load(int)} sets its size for every user
 * in the process, the last caller winning.
 */
public final class OpenBlasGemm extends NativeGemmSupport {
  private static final Logger LOG = Logger.getLogger("dev.backplane.accelerate");
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;

  private final String description;

  private OpenBlasGemm(String description) {
    this.description = description;
  }

  /**
   * Loads OpenBLAS (once per process), sets its thread count and returns a gemm on it.
   *
   * @param threads OpenBLAS threads, at least 1
   * @throws LinkageError or another throwable when the native library cannot be loaded
   */
  public static OpenBlasGemm load(int threads) {
    Loader.load(openblas_nolapack.class);
    openblas_nolapack.blas_set_num_threads(threads);
    return new OpenBlasGemm(describe(threads));
  }

  private static String describe(int threads) {
    String library = config();
    String javacpp;
    try {
      javacpp = "JavaCPP " + Loader.getVersion();
    } catch (Exception | LinkageError e) {
      javacpp = "JavaCPP";
    }
    return library + " via " + javacpp + ", " + threads + (threads == 1 ? " thread" : " threads");
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
  public String description() {
    return description;
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
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS, m, n, k, alpha, pointer(a), lda, pointer(b), ldb, beta,
        pointer(c), ldc);
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

  /** A JavaCPP-allocated float array. */
  private static final class Buffer implements NativeBuffer {
    private final FloatPointer pointer;
    private final FloatBuffer view;
    private final long size;

    Buffer(long size) {
      if (size < 1 || size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("Buffer size must be 1 to " + Integer.MAX_VALUE
            + " floats, got " + size);
      }
      this.size = size;
      this.pointer = new FloatPointer(size);
      if (pointer.isNull()) {
        throw new OutOfMemoryError("Cannot allocate " + size * 4 + " bytes off-heap");
      }
      pointer.zero();
      this.view = pointer.asBuffer();
      NativeMemory.allocated(size * Float.BYTES);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public FloatBuffer floats() {
      return view;
    }

    @Override
    public synchronized void close() {
      if (!pointer.isNull()) {
        pointer.close();
        NativeMemory.freed(size * Float.BYTES);
      }
    }

    @Override
    public String toString() {
      return "OpenBLAS buffer of " + size + " floats";
    }
  }
}
