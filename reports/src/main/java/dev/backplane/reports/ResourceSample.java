package dev.backplane.reports;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The memory and CPU use of this process at the end of one epoch, as {@link ResourceMonitor}
 * samples it. Memory is in bytes; a value that could not be read is -1 (memory) or
 * {@link Double#NaN} (CPU). Immutable.
 *
 * @param epoch the 0-based epoch whose end this sample was taken at
 * @param elapsedMillis milliseconds since training began
 * @param heapUsed Java heap in use
 * @param heapCommitted Java heap committed by the JVM
 * @param heapMax the heap's limit ({@code -Xmx}), or -1 when it has none
 * @param nonHeapUsed JVM memory outside the heap: metaspace, code cache, ...
 * @param directBuffers NIO direct and mapped buffers (the off-heap tensors and files)
 * @param rss the process's resident set size, from the operating system (through OSHI): heap,
 *     JVM and native memory together, the native backends' buffers included
 * @param processCpu the share of the machine's CPU time (all logical cores) that this process
 *     used since the previous sample (or since training began), in {@code [0, 1]}
 * @param systemCpu the share of the machine's CPU time used by all processes over the same
 *     interval, in {@code [0, 1]}
 */
public record ResourceSample(int epoch, long elapsedMillis, long heapUsed, long heapCommitted,
    long heapMax, long nonHeapUsed, long directBuffers, long rss, double processCpu,
    double systemCpu) {

  /** Keys of {@link #toMap()}, in order: memory in MiB, CPU in percent. */
  public static final String HEAP_USED = "heap_used_mb";
  /** Key of {@link #heapCommitted()} in MiB. */
  public static final String HEAP_COMMITTED = "heap_committed_mb";
  /** Key of {@link #heapMax()} in MiB. */
  public static final String HEAP_MAX = "heap_max_mb";
  /** Key of {@link #nonHeapUsed()} in MiB. */
  public static final String NON_HEAP = "non_heap_mb";
  /** Key of {@link #directBuffers()} in MiB. */
  public static final String DIRECT = "direct_buffers_mb";
  /** Key of {@link #rss()} in MiB. */
  public static final String RSS = "rss_mb";
  /** Key of {@link #processCpu()} in percent. */
  public static final String PROCESS_CPU = "process_cpu_pct";
  /** Key of {@link #systemCpu()} in percent. */
  public static final String SYSTEM_CPU = "system_cpu_pct";
  /** Key of {@link #elapsedMillis()} in seconds. */
  public static final String ELAPSED = "elapsed_s";

  private static final double MIB = 1024.0 * 1024.0;

  /** Off-heap memory the JVM knows of: non-heap plus direct buffers, in bytes (or -1). */
  public long offHeap() {
    if (nonHeapUsed < 0 && directBuffers < 0) {
      return -1;
    }
    return Math.max(0, nonHeapUsed) + Math.max(0, directBuffers);
  }

  /**
   * The sample as one map of numbers, as {@link dev.backplane.model.History} keeps metrics:
   * memory in MiB, CPU in percent, elapsed time in seconds; unreadable values are NaN.
   */
  public Map<String, Double> toMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(HEAP_USED, mib(heapUsed));
    m.put(HEAP_COMMITTED, mib(heapCommitted));
    m.put(HEAP_MAX, mib(heapMax));
    m.put(NON_HEAP, mib(nonHeapUsed));
    m.put(DIRECT, mib(directBuffers));
    m.put(RSS, mib(rss));
    m.put(PROCESS_CPU, processCpu * 100);
    m.put(SYSTEM_CPU, systemCpu * 100);
    m.put(ELAPSED, elapsedMillis / 1000.0);
    return m;
  }

  /**
   * One line for the progress output, e.g.
   * {@code heap: 41.2/256.0 MB - off-heap: 23.0 MB - rss: 180.5 MB - cpu: 48% (system 52%)}.
   */
  public String progressText() {
    StringBuilder b = new StringBuilder();
    b.append("heap: ").append(mb(heapUsed));
    if (heapCommitted >= 0) {
      b.append('/').append(mb(heapCommitted));
    }
    b.append(" MB - off-heap: ").append(mb(offHeap())).append(" MB - rss: ").append(mb(rss))
        .append(" MB - cpu: ").append(pct(processCpu)).append(" (system ")
        .append(pct(systemCpu)).append(')');
    return b.toString();
  }

  static double mib(long bytes) {
    return bytes < 0 ? Double.NaN : bytes / MIB;
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f", bytes / MIB);
  }

  private static String pct(double share) {
    return Double.isNaN(share) ? "?" : String.format(Locale.ROOT, "%.0f%%", share * 100);
  }
}
