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
 */
final class ResourceChecks {
  private static final int WARM_UP = 10;
  private static final long SETTLE_MILLIS = 3000;
  private static final double MIB = 1024.0 * 1024.0;

  private ResourceChecks() {}

  /** Threads and resident bytes before and after the compile/close cycles. */
  record CompileCycles(int threadsBefore, int threadsAfter, OptionalLong rssBefore,
      OptionalLong rssAfter, long heapBefore, long heapAfter) {}

  static Measurement threads(Session s) {
    CompileCycles r = s.memo("compile-cycles", () -> compileCycles(s));
    return Measurement.of(Math.max(0, r.threadsAfter() - r.threadsBefore()), "live threads "
        + r.threadsBefore() + " before and " + r.threadsAfter() + " after "
        + Tolerances.RESOURCE_CYCLES + " compile/step/close cycles");
  }

  static Measurement nativeMemory(Session s) {
    CompileCycles r = s.memo("compile-cycles", () -> compileCycles(s));
    if (r.rssBefore().isEmpty() || r.rssAfter().isEmpty()) {
      throw new CheckSkipped("the resident set is read from /proc/self/status, which this OS ("
          + System.getProperty("os.name") + ") does not have");
    }
    // The resident set includes the Java heap, which the JVM may grow while the cycles make
    // garbage: only what the resident set grew beyond the committed heap's growth is counted.
    double heapGrowth = (r.heapAfter() - r.heapBefore()) / MIB;
    double growth = (r.rssAfter().getAsLong() - r.rssBefore().getAsLong()) / MIB - heapGrowth;
    return Measurement.of(Math.max(0, growth), String.format(java.util.Locale.ROOT,
        "resident set %.1f MiB before and %.1f MiB after %d compile/step/close cycles, of which"
            + " %.1f MiB is the committed heap's growth", r.rssBefore().getAsLong() / MIB,
        r.rssAfter().getAsLong() / MIB, Tolerances.RESOURCE_CYCLES, heapGrowth));
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
    OptionalLong rss = ResourceMeter.residentBytes();
    long heap = committedHeap();
    for (int i = 0; i < Tolerances.RESOURCE_CYCLES; i++) {
      w.cycle(backend, s);
    }
    ResourceMeter.collect();
    int after = ResourceMeter.settleThreads(threads, SETTLE_MILLIS);
    return new CompileCycles(threads, after, rss, ResourceMeter.residentBytes(), heap,
        committedHeap());
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
