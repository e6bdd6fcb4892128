package dev.backplane.accelerate;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the native BLAS of this platform: Apple Accelerate on macOS, OpenBLAS (JavaCPP preset)
 * elsewhere. Loading is attempted once per process; a failure is remembered with its cause, and
 * when {@link BlasMode#AUTO} falls back because of it the cause is logged once.
 */
final class NativeBlas {
  static final Logger LOG = Logger.getLogger("dev.backplane.accelerate");
  private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();
  private static Throwable failure;
  private static boolean loaded;

  private NativeBlas() {}

  /** Whether this JVM runs on macOS. */
  static boolean isMac() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac");
  }

  /**
   * A native gemm splitting large products over {@code pool} (where the library does not manage
   * its own threads).
   *
   * @param pool the backend's threads, or {@code null} (e.g. for a probe)
   * @throws NativeBlasUnavailableException with the cause when the library cannot be loaded
   */
  static synchronized NativeGemm load(ComputePool pool) {
    if (failure != null) {
      throw new NativeBlasUnavailableException(failure);
    }
    try {
      NativeGemm gemm = isMac() ? AppleAccelerateGemm.load() : OpenBlasGemm.load(pool);
      loaded = true;
      return gemm;
    } catch (Throwable t) {
      if (t instanceof StackOverflowError || t instanceof UnknownError) {
        throw (Error) t;
      }
      Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null
          ? t.getCause() : t;
      if (!loaded) {
        failure = cause;
      }
      throw new NativeBlasUnavailableException(cause);
    }
  }

  /** Logs, once per process, that {@code auto} fell back to the Java kernels and why. */
  static void logFallbackOnce(Throwable cause) {
    if (FALLBACK_LOGGED.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "Native BLAS unavailable (" + describe(cause) + "); the accelerate"
          + " backend uses its pure Java kernels. Set backplane.accelerate.blas=java to silence"
          + " this, or =native to make it an error.", cause);
    }
  }

  /** Forgets that the fallback was logged (tests). */
  static void resetFallbackLog() {
    FALLBACK_LOGGED.set(false);
  }

  /** A one-line cause: the exception's simple class name and message. */
  static String describe(Throwable cause) {
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The native library could not be loaded; the cause says why. */
  static final class NativeBlasUnavailableException extends RuntimeException {
    NativeBlasUnavailableException(Throwable cause) {
      super((isMac() ? "Apple Accelerate" : "OpenBLAS") + " could not be loaded: "
          + describe(cause), cause);
    }
  }
}
