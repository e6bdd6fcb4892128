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
 *
 * <p>Nothing here is Accelerate-specific but the library's name: {@link #load(String, String)}
 * binds the same standard CBLAS signature ({@code cblas_sgemm}, row-major) from any shared
 * library, so tests bind it to OpenBLAS on Linux and run every line of this class there. Direct
 * mapping binds a class's natives once, so a process binds one library here: asking for a
 * second, different one is refused (see {@link #load(String, String)}).
 */
public final class AppleAccelerateGemm extends NativeGemmSupport {
  /** Where macOS keeps the framework's binary (in the dyld shared cache on recent releases). */
  static final String FRAMEWORK = "/System/Library/Frameworks/Accelerate.framework/Accelerate";
  /** How {@link #FRAMEWORK} is named in {@link #library()}. */
  static final String FRAMEWORK_NAME = "Apple Accelerate (vecLib CBLAS)";
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;
  /** The library {@link Cblas} is bound to, once bound; guarded by the class. */
  private static String bound;

  private final String name;

  private AppleAccelerateGemm(String name) {
    this.name = name;
  }

  /**
   * Binds {@code cblas_sgemm} from Accelerate (once per process).
   *
   * @throws LinkageError or another throwable when the framework cannot be bound
   */
  public static AppleAccelerateGemm load() {
    return load(FRAMEWORK, FRAMEWORK_NAME);
  }

  /**
   * Binds {@code cblas_sgemm} (the standard CBLAS signature) from {@code library}, once per
   * process: later calls with the same library share the binding.
   *
   * @param library a path or a name JNA resolves ({@link NativeLibrary#getInstance(String)})
   * @param name how {@link #library()} names it
   * @throws IllegalStateException when this process already bound another library
   * @throws LinkageError or another throwable when the library cannot be bound
   */
  static synchronized AppleAccelerateGemm load(String library, String name) {
    if (bound == null) {
      Cblas.bind(library);
      bound = library;
    } else if (!bound.equals(library)) {
      throw new IllegalStateException("cblas_sgemm is already bound to " + bound
          + " in this process; it cannot also be bound to " + library);
    }
    return new AppleAccelerateGemm(name);
  }

  @Override
  public String library() {
    return name + " via JNA " + Native.VERSION;
  }

  @Override
  public String description() {
    return library() + ", threads managed by " + (FRAMEWORK_NAME.equals(name) ? "macOS"
        : "the library");
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
      throw new IllegalArgumentException("Buffer " + x + " was not allocated by AppleAccelerateGemm");
    }
    if (!buffer.memory.valid()) {
      throw new IllegalStateException("Buffer is closed");
    }
    return buffer.memory;
  }

  /** The JNA direct mapping; {@link #bind} registers the natives, once. */
  private static final class Cblas {
    private Cblas() {}

    static void bind(String library) {
      Native.register(Cblas.class, NativeLibrary.getInstance(library));
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
