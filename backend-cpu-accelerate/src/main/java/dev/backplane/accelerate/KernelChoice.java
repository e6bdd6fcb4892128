package dev.backplane.accelerate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code backplane.accelerate.blas=auto} where both a native BLAS and the Vector API kernels are
 * available: which of the two runs a model's matrix products, decided by timing both on the
 * model's own products (alternating passes, the best of each) (its training program's shapes at {@link #BATCH} rows) when it is
 * compiled, and kept in a {@link KernelCache} so a machine pays for the timing once per model
 * shape and library. A misdetected or old native library (OpenBLAS forced onto older kernels by
 * {@code OPENBLAS_CORETYPE}, say) thus loses to the Vector API instead of slowing training.
 *
 * <p>The choice is per model, not per product: a model's matrices live in the chosen engine's
 * memory (off-heap for the native BLAS, heap rows for the Vector API), and moving operands
 * between the two for each product would cost more than most products. So the kernel with the
 * smaller total over all the model's products wins (ties go to the native BLAS); the verdict
 * also says how many single shapes each kernel would have won. Results for a given choice are
 * deterministic; the two kernels agree within float round-off.
 */
final class KernelChoice {
  /** Rows a batch is assumed to have when the model's shapes are taken. */
  static final int BATCH = 128;
  /** Timing passes over a model's shapes. */
  static final int PASSES = 2;

  private KernelChoice() {}

  /** The two candidates. */
  enum Kernel {
    NATIVE, JAVA
  }

  /** Times one product on one kernel; the real one multiplies, tests script the answers. */
  interface Timer {
    /** Nanoseconds one {@code shape} product takes on {@code kernel} (best of a few runs). */
    long nanos(Kernel kernel, GemmShape shape);
  }

  /**
   * A decision.
   *
   * @param kernel the kernel that runs the model's products
   * @param nativeNanos the model's products on the native BLAS, one training step
   * @param javaNanos the same on the Vector API kernels
   * @param products how many products a training step makes
   * @param nativeWins of the distinct shapes, how many were faster on the native BLAS
   * @param javaWins and how many on the Vector API
   * @param cached whether this came from the cache rather than a timing
   */
  record Verdict(Kernel kernel, long nativeNanos, long javaNanos, int products, int nativeWins,
      int javaWins, boolean cached) {
    /** One line for logs, tools and the benchmark report. */
    String describe(String nativeName) {
      if (products == 0) {
        return "no matrix products; " + nativeName + " kept";
      }
      String chosen = kernel == Kernel.NATIVE ? nativeName : "the Vector API kernels";
      return String.format(Locale.ROOT, "%s by measurement (%s %.3f ms, Vector API %.3f ms for"
          + " the %d products of a %d-row training step; per shape %d faster on %s, %d on the"
          + " Vector API%s)", chosen, nativeName, nativeNanos / 1e6, javaNanos / 1e6, products,
          BATCH, nativeWins, nativeName, javaWins, cached ? "; cached" : "");
    }
  }

  /**
   * Times {@code shapes} on both kernels (each distinct shape once per kernel) unless
   * {@code cache} already holds a verdict for them under {@code machine}, and records the new
   * verdict there.
   *
   * @param machine what the timing depends on besides the shapes: libraries, vector width,
   *     threads
   */
  static Verdict choose(List<GemmShape> shapes, String machine, Timer timer, KernelCache cache) {
    Map<GemmShape, Integer> counts = new LinkedHashMap<>();
    for (GemmShape s : shapes) {
      counts.merge(s, 1, Integer::sum);
    }
    if (counts.isEmpty()) {
      return new Verdict(Kernel.NATIVE, 0, 0, 0, 0, 0, false);
    }
    String key = KernelCache.key(machine, new ArrayList<>(counts.entrySet()).toString());
    Verdict known = cache.get(key);
    if (known != null) {
      return known;
    }
    List<GemmShape> distinct = new ArrayList<>(counts.keySet());
    long[] bestNative = new long[distinct.size()];
    long[] bestJava = new long[distinct.size()];
    java.util.Arrays.fill(bestNative, Long.MAX_VALUE);
    java.util.Arrays.fill(bestJava, Long.MAX_VALUE);
    // Alternating passes over all shapes, the best of each: the first pass also lets the JIT
    // compile every path of the pure-Java kernel, and a load spike spoils one pass only.
    for (int pass = 0; pass < PASSES; pass++) {
      for (int i = 0; i < distinct.size(); i++) {
        bestNative[i] = Math.min(bestNative[i], timer.nanos(Kernel.NATIVE, distinct.get(i)));
        bestJava[i] = Math.min(bestJava[i], timer.nanos(Kernel.JAVA, distinct.get(i)));
      }
    }
    long nativeTotal = 0;
    long javaTotal = 0;
    int nativeWins = 0;
    int javaWins = 0;
    int i = 0;
    for (Map.Entry<GemmShape, Integer> e : counts.entrySet()) {
      long tn = bestNative[i];
      long tj = bestJava[i];
      i++;
      nativeTotal += tn * e.getValue();
      javaTotal += tj * e.getValue();
      if (tn <= tj) {
        nativeWins++;
      } else {
        javaWins++;
      }
    }
    Verdict v = new Verdict(javaTotal < nativeTotal ? Kernel.JAVA : Kernel.NATIVE, nativeTotal,
        javaTotal, shapes.size(), nativeWins, javaWins, false);
    cache.put(key, v);
    return v;
  }
}
