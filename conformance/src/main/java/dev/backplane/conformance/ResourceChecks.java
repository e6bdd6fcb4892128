package dev.backplane.conformance;

import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.OptionalLong;

/**
 * {@code resources/*}: compile, step, predict and close a model {@value
 * Tolerances#RESOURCE_CYCLES} times on the open backend, and open and close the whole backend
 * {@value Tolerances#OPEN_CYCLES} times; live threads must not grow, nor (on Linux) the resident
 * set beyond a generous bound.
 *
 * <p>The resident set is compared between the middle and the end of the cycles, not the start:
 * native allocators (glibc's arenas, TensorFlow's pools) grow to a plateau over the first cycles
 * and keep that memory, which is not a leak; a leak grows with every cycle, so the second half
 * shows it as plainly as the whole run would.
 */
final class ResourceChecks {
  private static final int WARM_UP = 10;
  private static final long SETTLE_MILLIS = 3000;
  private static final double MIB = 1024.0 * 1024.0;

  private ResourceChecks() {}

  /**
   * Threads before and after the compile/close cycles; resident bytes and committed heap at the
   * start, the middle and the end of them.
   */
  record CompileCycles(int threadsBefore, int threadsAfter, OptionalLong rssStart,
      OptionalLong rssMiddle, OptionalLong rssEnd, long heapMiddle, long heapEnd) {}

  static Measurement threads(Session s) {
    CompileCycles r = s.memo("compile-cycles", () -> compileCycles(s));
    return Measurement.of(Math.max(0, r.threadsAfter() - r.threadsBefore()), "live threads "
        + r.threadsBefore() + " before and " + r.threadsAfter() + " after "
        + Tolerances.RESOURCE_CYCLES + " compile/step/close cycles");
  }

  static Measurement nativeMemory(Session s) {
    CompileCycles r = s.memo("compile-cycles", () -> compileCycles(s));
    if (r.rssStart().isEmpty() || r.rssMiddle().isEmpty() || r.rssEnd().isEmpty()) {
      throw new CheckSkipped("the resident set is read from /proc/self/status, which this OS ("
          + System.getProperty("os.name") + ") does not have");
    }
    // The resident set includes the Java heap, which the JVM may grow while the cycles make
    // garbage: only what the resident set grew beyond the committed heap's growth is counted.
    double heapGrowth = (r.heapEnd() - r.heapMiddle()) / MIB;
    double growth = (r.rssEnd().getAsLong() - r.rssMiddle().getAsLong()) / MIB - heapGrowth;
    return Measurement.of(Math.max(0, growth), String.format(java.util.Locale.ROOT,
        "resident set %.1f MiB at the start, %.1f MiB after %d and %.1f MiB after %d"
            + " compile/step/close cycles; growth over the second half, less %.1f MiB of committed"
            + " heap growth", r.rssStart().getAsLong() / MIB, r.rssMiddle().getAsLong() / MIB,
        Tolerances.RESOURCE_CYCLES / 2, r.rssEnd().getAsLong() / MIB,
        Tolerances.RESOURCE_CYCLES, heapGrowth));
  }

  /**
   * Allocates garbage through the committed heap once, so that its pages are resident before the
   * baseline: otherwise the cycles' garbage making fresh heap pages resident reads as growth.
   */
  private static void touchHeap() {
    java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory
        .getMemoryMXBean().getHeapMemoryUsage();
    long free = heap.getCommitted() - heap.getUsed();
    long sink = 0;
    // Small chunks, so they fill the young generation rather than going straight to large-object
    // regions.
    for (long done = 0; done < 2 * free; done += 1 << 14) {
      byte[] chunk = new byte[1 << 14];
      chunk[(int) (done & 0x3FFF)] = 1;
      sink += chunk[0];
    }
    if (sink == Long.MIN_VALUE) {
      throw new AssertionError();
    }
  }

  private static long committedHeap() {
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage()
        .getCommitted();
  }

  private static CompileCycles compileCycles(Session s) {
    Backend backend = s.backend();
    Workload w = new Workload();
    for (int i = 0; i < WARM_UP; i++) {
      w.cycle(backend, s);
    }
    touchHeap();
    ResourceMeter.collect();
    int threads = ResourceMeter.threads();
    OptionalLong start = ResourceMeter.residentBytes();
    int half = Tolerances.RESOURCE_CYCLES / 2;
    for (int i = 0; i < half; i++) {
      w.cycle(backend, s);
    }
    ResourceMeter.collect();
    OptionalLong middle = ResourceMeter.residentBytes();
    long heapMiddle = committedHeap();
    for (int i = half; i < Tolerances.RESOURCE_CYCLES; i++) {
      w.cycle(backend, s);
    }
    ResourceMeter.collect();
    int after = ResourceMeter.settleThreads(threads, SETTLE_MILLIS);
    return new CompileCycles(threads, after, start, middle, ResourceMeter.residentBytes(),
        heapMiddle, committedHeap());
  }

  /** Opens and closes the backend itself, with a model compiled and stepped each time. */
  static Measurement openClose(Session s) {
    s.backend();
    Workload w = new Workload();
    for (int i = 0; i < 2; i++) {
      openCycle(s, w);
    }
    ResourceMeter.collect();
    int before = ResourceMeter.threads();
    for (int i = 0; i < Tolerances.OPEN_CYCLES; i++) {
      openCycle(s, w);
    }
    int after = ResourceMeter.settleThreads(before, SETTLE_MILLIS);
    return Measurement.of(Math.max(0, after - before), "live threads " + before + " before and "
        + after + " after " + Tolerances.OPEN_CYCLES + " open/compile/close cycles");
  }

  private static void openCycle(Session s, Workload w) {
    try (Backend b = s.provider().open(s.context())) {
      w.cycle(b, s);
    }
  }

  /** One small model compiled, stepped, predicted and closed. */
  private static final class Workload {
    private final ModelCase c = ModelCases.softmaxSparse();
    private final ModelSpec spec = c.spec();
    private final Tensor x = c.x().rows(0, 32);
    private final Tensor y = c.y().rows(0, 32);
    private final float[] out = new float[32 * 3];

    void cycle(Backend backend, Session s) {
      try (Executable exe = backend.compile(spec, s.device())) {
        exe.trainStep(x, y, out);
        exe.predict(x, out);
      }
    }
  }
}
