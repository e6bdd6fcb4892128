package dev.backplane.reports;

import dev.backplane.model.Callback;
import dev.backplane.model.Sequential;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Samples the process's memory and CPU use at the end of every epoch of {@link Sequential#fit}:
 * Java heap, non-heap and direct buffers (from the JVM), resident set size and CPU time (from
 * the operating system, through OSHI), and the machine's CPU load. Add it to
 * {@link dev.backplane.model.FitOptions.Builder#callbacks}; after {@code fit} its
 * {@link #history()} lies alongside {@link dev.backplane.model.History#history()}, one value
 * per epoch under each key of {@link ResourceSample#toMap()}.
 *
 * <pre>{@code
 * ResourceMonitor monitor = ResourceMonitor.printing();   // the --monitor of the CLI
 * History h = model.fit(x, y, FitOptions.builder().epochs(10).callbacks(monitor).build());
 * monitor.perEpoch().get(0);  // {heap_used_mb=41.2, ..., rss_mb=180.5, process_cpu_pct=48.0, ...}
 * }</pre>
 *
 * <p>A monitor that {@linkplain #printing() prints} writes one line per epoch to the fit's
 * output, right under the epoch's progress line. Each {@code fit} starts the record afresh;
 * sampling an epoch twice (a {@link TrainingReport} and the monitor both asking) keeps the first
 * sample. Not thread-safe: it runs on the thread that trains.
 */
public final class ResourceMonitor implements Callback {
  /** Indent of the printed line, to sit under the progress line's step counter. */
  static final String PREFIX = "  resources - ";

  private final boolean print;
  private final List<ResourceSample> samples = new ArrayList<>();
  private Probe probe;
  private long startNanos = System.nanoTime();
  private long lastCpuNanos = -1;
  private long lastWallNanos;
  private long[] lastTicks;
  /** Placement's estimate of the working set, printed beside the measured use; -1: none. */
  private long expectedBytes = -1;
  private int expectedBatch;

  private ResourceMonitor(boolean print) {
    this.print = print;
  }

  /** A monitor that records silently. */
  public static ResourceMonitor create() {
    return new ResourceMonitor(false);
  }

  /** A monitor that records and prints one line per epoch under the progress line. */
  public static ResourceMonitor printing() {
    return new ResourceMonitor(true);
  }

  /**
   * Sets placement's estimate of the model's working set at the fit's batch size (see {@code
   * Sequential.estimateMemory}), which a printing monitor shows beside the measured use.
   */
  public void expect(long bytes, int batchSize) {
    this.expectedBytes = bytes;
    this.expectedBatch = batchSize;
  }

  /** Whether this monitor prints a line per epoch. */
  public boolean prints() {
    return print;
  }

  @Override
  public void onTrainBegin(Sequential model) {
    reset();
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
    ResourceSample s = sampleEpoch(epoch);
    if (print) {
      PrintStream out = model.output();
      out.println(line(s) + (expectedBytes < 0 ? "" : String.format(java.util.Locale.ROOT,
          " - estimated working set %.1f MiB at batch %d", expectedBytes / 1048576.0,
          expectedBatch)));
      out.flush();
    }
  }

  /** Forgets the samples and starts the CPU interval and elapsed time from now. */
  public void reset() {
    samples.clear();
    startNanos = System.nanoTime();
    Probe p = probe();
    lastWallNanos = startNanos;
    lastCpuNanos = p.cpuNanos();
    lastTicks = p.ticks();
  }

  /**
   * The sample of this epoch: taken now, or the one already taken for it in this fit.
   *
   * @param epoch 0-based epoch
   */
  public ResourceSample sampleEpoch(int epoch) {
    if (!samples.isEmpty() && samples.get(samples.size() - 1).epoch() == epoch) {
      return samples.get(samples.size() - 1);
    }
    ResourceSample s = sample(epoch);
    samples.add(s);
    return s;
  }

  /** The line a printing monitor writes for a sample. */
  public static String line(ResourceSample s) {
    return PREFIX + s.progressText();
  }

  /** The samples of the last (or running) fit, one per completed epoch, in order. */
  public List<ResourceSample> samples() {
    return Collections.unmodifiableList(new ArrayList<>(samples));
  }

  /** Each sampled epoch's {@link ResourceSample#toMap()}, by 0-based epoch, in order. */
  public Map<Integer, Map<String, Double>> perEpoch() {
    Map<Integer, Map<String, Double>> m = new LinkedHashMap<>();
    for (ResourceSample s : samples) {
      m.put(s.epoch(), Collections.unmodifiableMap(s.toMap()));
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * The samples as {@link dev.backplane.model.History#history()} keeps metrics: every key of
   * {@link ResourceSample#toMap()} with its per-epoch values; unmodifiable.
   */
  public Map<String, List<Double>> history() {
    Map<String, List<Double>> m = new LinkedHashMap<>();
    for (ResourceSample s : samples) {
      s.toMap().forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    m.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(m);
  }

  private ResourceSample sample(int epoch) {
    Probe p = probe();
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    MemoryUsage heap = mem.getHeapMemoryUsage();
    MemoryUsage nonHeap = mem.getNonHeapMemoryUsage();
    long direct = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      direct += Math.max(0, pool.getMemoryUsed());
    }
    long now = System.nanoTime();
    long cpu = p.cpuNanos();
    double processCpu = Double.NaN;
    if (cpu >= 0 && lastCpuNanos >= 0 && now > lastWallNanos) {
      processCpu = clamp((double) (cpu - lastCpuNanos) / (now - lastWallNanos) / p.cores());
    }
    double systemCpu = p.systemLoad(lastTicks);
    long[] ticks = p.ticks();
    if (!Double.isNaN(processCpu) && !Double.isNaN(systemCpu)) {
      // The machine's load includes this process's.
      systemCpu = Math.max(systemCpu, processCpu);
    }
    lastCpuNanos = cpu;
    lastWallNanos = now;
    lastTicks = ticks;
    return new ResourceSample(epoch, (now - startNanos) / 1_000_000, heap.getUsed(),
        heap.getCommitted(), heap.getMax(), nonHeap.getUsed(), direct, p.rss(), processCpu,
        systemCpu);
  }

  private static double clamp(double share) {
    return Math.max(0, Math.min(1, share));
  }

  private Probe probe() {
    if (probe == null) {
      probe = Probe.open();
    }
    return probe;
  }

  /**
   * The operating system's view of this process, through OSHI; where OSHI cannot read it (an
   * unsupported system), the JVM's own CPU time and no RSS.
   */
  private static final class Probe {
    private final OSProcess process;
    private final CentralProcessor processor;
    private final int cores;

    private Probe(OSProcess process, CentralProcessor processor, int cores) {
      this.process = process;
      this.processor = processor;
      this.cores = Math.max(1, cores);
    }

    static Probe open() {
      OSProcess process = null;
      CentralProcessor processor = null;
      try {
        SystemInfo si = new SystemInfo();
        OperatingSystem os = si.getOperatingSystem();
        process = os.getProcess(os.getProcessId());
        processor = si.getHardware().getProcessor();
      } catch (RuntimeException | LinkageError e) {
        // No OSHI support here: fall back to the JVM's numbers below.
      }
      int cores = processor != null ? processor.getLogicalProcessorCount()
          : Runtime.getRuntime().availableProcessors();
      return new Probe(process, processor, cores);
    }

    int cores() {
      return cores;
    }

    /** CPU time of the whole process (every thread), in ns, or -1. */
    long cpuNanos() {
      if (process != null && process.updateAttributes()) {
        return (process.getUserTime() + process.getKernelTime()) * 1_000_000L;
      }
      java.lang.management.OperatingSystemMXBean os =
          ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
        return sun.getProcessCpuTime();
      }
      return -1;
    }

    /** Resident set size as of the last {@link #cpuNanos()}, or -1. */
    long rss() {
      return process != null && process.getResidentMemory() > 0
          ? process.getResidentMemory() : -1;
    }

    private static double jvmSystemLoad() {
      if (ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean sun) {
        double load = sun.getCpuLoad();
        return load < 0 ? Double.NaN : clamp(load);
      }
      return Double.NaN;
    }

    long[] ticks() {
      return processor != null ? processor.getSystemCpuLoadTicks() : null;
    }

    double systemLoad(long[] previous) {
      if (processor == null || previous == null) {
        return jvmSystemLoad();
      }
      long[] now = processor.getSystemCpuLoadTicks();
      long total = 0;
      long idle = 0;
      for (CentralProcessor.TickType t : CentralProcessor.TickType.values()) {
        long d = now[t.getIndex()] - previous[t.getIndex()];
        total += d;
        if (t == CentralProcessor.TickType.IDLE || t == CentralProcessor.TickType.IOWAIT) {
          idle += d;
        }
      }
      if (total > 0) {
        return clamp(1 - (double) idle / total);
      }
      // OSHI refreshes the ticks at most every few hundred ms (and the kernel counts 10 ms
      // ticks): for a shorter epoch, the JVM's view of the recent system load.
      return jvmSystemLoad();
    }
  }
}
