package dev.backplane.accelerate;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteOrder;

/**
 * {@link NativeGemm} on Apple's Accelerate framework (vecLib's CBLAS), bound with JNA direct
 * mapping, for macOS. Buffers are JNA {@link Memory}, passed by address. Accelerate sizes its own
 * thread pool; Backplane's thread setting does not reach it.
 */
public final class AccelerateGemm extends NativeGemmSupport {
  /** Where macOS keeps the framework's binary (in the dyld shared cache on recent releases). */
  static final String FRAMEWORK = "/System/Library/Frameworks/Accelerate.framework/Accelerate";
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;

  private AccelerateGemm() {}

  /**
   * Binds {@code cblas_sgemm} from Accelerate (once per process).
   *
   * @throws LinkageError or another throwable when the framework cannot be bound
   */
  public static AccelerateGemm load() {
    Cblas.ensureLoaded();
    return new AccelerateGemm();
  }

  @Override
  public String library() {
    return "Apple Accelerate (vecLib CBLAS) via JNA " + Native.VERSION;
  }

  @Override
  public String description() {
    return library() + ", threads managed by macOS";
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
    Cblas.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
        alpha, memory(a), lda, memory(b), ldb, beta, memory(c), ldc);
  }

  private static Memory memory(NativeBuffer x) {
    if (!(x instanceof Buffer buffer)) {
      throw new IllegalArgumentException("Buffer " + x + " was not allocated by AccelerateGemm");
    }
    if (!buffer.memory.valid()) {
      throw new IllegalStateException("Buffer is closed");
    }
    return buffer.memory;
  }

  /** The JNA direct mapping; registering binds the natives when the class initializes. */
  private static final class Cblas {
    static {
      Native.register(Cblas.class, NativeLibrary.getInstance(FRAMEWORK));
    }

    private Cblas() {}

    static void ensureLoaded() {
      // Initializing the class registers the natives, or throws why it cannot.
    }

    static native void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, Pointer a, int lda, Pointer b, int ldb, float beta, Pointer c, int ldc);
  }

  /** JNA-allocated memory with a float view. */
  private static final class Buffer extends CountedBuffer {
    private final Memory memory;

    Buffer(long size) {
      super(size);
      this.memory = new Memory(size * Float.BYTES);
      memory.clear();
      allocated(memory.getByteBuffer(0, size * Float.BYTES).order(ByteOrder.nativeOrder())
          .asFloatBuffer());
    }

    @Override
    void free() {
      memory.close();
    }

    @Override
    public String toString() {
      return "Accelerate buffer of " + size() + " floats";
    }
  }
}
