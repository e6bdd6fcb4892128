package dev.backplane.model;

import dev.backplane.Backplane;
import dev.backplane.Candidate;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.Placement;
import dev.backplane.PlacementException;
import dev.backplane.config.CoreKeys;
import dev.backplane.config.Fallback;
import dev.backplane.ops.Node;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.logging.Logger;

/**
 * Refines a priority placement by memory and, with {@code backplane.placement=fastest}, by
 * measurement: every healthy candidate (its canary passed) runs a few training steps of this
 * model at the configured batch size, and the fastest wins. Timings are cached with the probe
 * verdicts, keyed by the program's fingerprint and the device. With {@code priority} nothing is
 * measured.
 */
final class PlacementPlanner {
  private static final Logger LOG = Logger.getLogger("dev.backplane");
  static final int WARMUP_STEPS = 2;
  static final int TIMED_STEPS = 5;

  private PlacementPlanner() {}

  /** A candidate's measurement: step time in ms, or why it was not measured. */
  private record Measured(DeviceInfo info, double millis, String problem) {}

  static Placement refine(Backplane bp, ModelSpec spec, Placement priority, List<String> prefs,
      Fallback fallback) {
    boolean fastest = bp.config().get(CoreKeys.PLACEMENT).equals("fastest");
    boolean limited = bp.config().isSet(CoreKeys.MEMORY_LIMIT);
    int batch = bp.config().get(CoreKeys.PLACEMENT_BATCH);
    long estimate = estimateBytes(spec, batch);
    if (!fastest && !limited && priority.candidates().stream().noneMatch(c ->
        c.verdict() != Candidate.Verdict.REJECTED && tooSmall(c.info(), estimate) != null)) {
      return priority;
    }
    List<Candidate> lines = new ArrayList<>();
    List<DeviceInfo> healthy = new ArrayList<>();
    for (Candidate c : priority.candidates()) {
      boolean usable = c.verdict() != Candidate.Verdict.REJECTED;
      if (usable) {
        String full = null;
        if (limited && c.verdict() != Candidate.Verdict.FALLBACK) {
          long limit = bp.config().get(CoreKeys.MEMORY_LIMIT);
          if (estimate > limit) {
            full = doesNotFit(spec, estimate, batch, "backplane.memory.limit", limit);
          }
        }
        String small = full == null ? tooSmall(c.info(), estimate) : null;
        if (small != null) {
          full = doesNotFit(spec, estimate, batch, small, capacity(c.info()));
        }
        if (full != null) {
          lines.add(new Candidate(c.info(), Candidate.Verdict.REJECTED, full));
          continue;
        }
      }
      if (usable) {
        healthy.add(c.info());
      } else {
        lines.add(c);
      }
    }
    if (healthy.isEmpty()) {
      DeviceInfo cpu = fallback == Fallback.NONE ? null
          : bp.place(List.of("cpu"), Fallback.NONE).chosen();
      String cpuTooSmall = cpu == null ? null : tooSmall(cpu, estimate);
      if (cpu == null || cpuTooSmall != null) {
        if (cpu != null && lines.stream().noneMatch(l -> l.device().equals(cpu.device()))) {
          lines.add(new Candidate(cpu, Candidate.Verdict.REJECTED, doesNotFit(spec, estimate,
              batch, cpuTooSmall, capacity(cpu))));
        }
        throw new PlacementException("No device can hold model '" + spec.name() + "'"
            + (fallback == Fallback.NONE ? " and backplane.fallback=none" : "") + ".\n"
            + new Placement(priority.chosen(), prefs, fallback, lines).explain());
      }
      lines.add(new Candidate(cpu, Candidate.Verdict.FALLBACK, "no preferred device can hold"
          + " the model (backplane.fallback=cpu); about " + mb(estimate) + " at batch " + batch));
      return new Placement(cpu, prefs, fallback, lines);
    }
    if (!fastest || healthy.size() == 1) {
      DeviceInfo first = healthy.get(0);
      for (DeviceInfo d : healthy) {
        lines.add(new Candidate(d, d == first ? Candidate.Verdict.CHOSEN
            : Candidate.Verdict.NOT_NEEDED, (d == first ? "" : "an earlier preference is usable; ")
            + "about " + mb(estimate) + " at batch " + batch));
      }
      return new Placement(first, prefs, fallback, lines);
    }
    String fingerprint = fingerprint(spec, batch);
    List<Measured> measured = new ArrayList<>();
    for (DeviceInfo d : healthy) {
      measured.add(measure(bp, spec, d, batch, fingerprint));
    }
    Measured best = null;
    for (Measured m : measured) {
      if (m.problem() == null && (best == null || m.millis() < best.millis())) {
        best = m;
      }
    }
    if (best == null) {
      return priority;
    }
    for (Measured m : measured) {
      if (m == best) {
        lines.add(new Candidate(m.info(), Candidate.Verdict.CHOSEN, String.format(Locale.ROOT,
            "fastest: %.3f ms/step at batch %d; about %s", m.millis(), batch, mb(estimate))));
      } else if (m.problem() != null) {
        lines.add(new Candidate(m.info(), Candidate.Verdict.REJECTED, m.problem()));
      } else {
        lines.add(new Candidate(m.info(), Candidate.Verdict.REJECTED, String.format(Locale.ROOT,
            "%.3f ms/step, slower than %s at %.3f ms/step", m.millis(), best.info().device(),
            best.millis())));
      }
    }
    return new Placement(best.info(), prefs, fallback, lines);
  }

  private static Measured measure(Backplane bp, ModelSpec spec, DeviceInfo d, int batch,
      String fingerprint) {
    Device device = d.device();
    String key = fingerprint + " " + device;
    OptionalDouble cached = bp.cachedStepTime(key);
    if (cached.isPresent()) {
      return new Measured(d, cached.getAsDouble(), null);
    }
    try {
      // The canary must pass before a device's timing counts.
      bp.place(List.of(device.toString()), Fallback.NONE);
    } catch (RuntimeException e) {
      return new Measured(d, Double.NaN, "not measured: " + e.getMessage().split("\n")[0]);
    }
    Tensor x = syntheticInput(spec, batch);
    Tensor y = syntheticLabels(spec, batch);
    float[] out = new float[batch * spec.outputSize()];
    try (Executable exe = bp.compile(spec, device)) {
      for (int i = 0; i < WARMUP_STEPS; i++) {
        exe.trainStep(x, y, out);
      }
      long start = bp.nanoTime();
      for (int i = 0; i < TIMED_STEPS; i++) {
        exe.trainStep(x, y, out);
      }
      double millis = (bp.nanoTime() - start) / 1e6 / TIMED_STEPS;
      bp.cacheStepTime(key, millis);
      return new Measured(d, millis, null);
    } catch (RuntimeException e) {
      LOG.info("Timing model '" + spec.name() + "' on " + device + " failed: " + e);
      return new Measured(d, Double.NaN, "not measured: " + e.getMessage());
    }
  }

  private static Tensor syntheticInput(ModelSpec spec, int batch) {
    int per = spec.inputSize();
    float[] v = new float[batch * per];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 7919 % 1000) / 1000f;
    }
    int[] shape = new int[spec.inputShape().length + 1];
    shape[0] = batch;
    System.arraycopy(spec.inputShape(), 0, shape, 1, shape.length - 1);
    return Tensor.wrap(v, shape);
  }

  private static Tensor syntheticLabels(ModelSpec spec, int batch) {
    int per = spec.loss().labelColumns(spec.outputSize());
    float[] v = new float[batch * per];
    if (spec.loss().type() == Loss.Type.CATEGORICAL_CROSSENTROPY) {
      for (int r = 0; r < batch; r++) {
        v[r * per] = 1;
      }
    }
    return Tensor.wrap(v, batch, per);
  }

  /**
   * The working set of a training step in bytes: every variable (weights, state, optimizer
   * slots) plus every intermediate of the training program at this batch size, as if all were
   * kept (backends that fuse keep fewer, so this errs high).
   */
  static long estimateBytes(ModelSpec spec, int batch) {
    long[] parts = workingSet(spec);
    return (parts[0] + parts[1] * batch) * Float.BYTES;
  }

  /** Values independent of the batch size, and values per sample. */
  private static long[] workingSet(ModelSpec spec) {
    long fixed = 0;
    long perSample = 0;
    for (List<NamedArray> arrays : List.of(spec.initialState().parameters(),
        spec.initialState().variables(), spec.initialState().slots())) {
      for (NamedArray a : arrays) {
        fixed += a.values().length;
      }
    }
    Program train = ProgramBuilder.build(spec, Program.Kind.TRAIN);
    for (Node n : train.liveNodes()) {
      if (n.opName().equals("variable") || n.opName().equals("constant")) {
        continue;
      }
      long size = 1;
      boolean batched = false;
      for (int dim : n.shape()) {
        if (dim < 0) {
          batched = true;
        } else {
          size *= dim;
        }
      }
      if (batched) {
        perSample += size;
      } else {
        fixed += size;
      }
    }
    return new long[] {fixed, perSample};
  }

  /**
   * What the device offers a model in bytes: what its probe said, else for a CPU device the
   * host's physical memory; -1 when unknown.
   */
  static long capacity(DeviceInfo d) {
    if (d.memoryKnown()) {
      return d.memoryBytes();
    }
    return d.device().type().equals(dev.backplane.DeviceType.CPU)
        ? dev.backplane.internal.placement.HostMemory.physicalBytes() : -1;
  }

  /** What the estimate exceeds on this device ("metal:gpu:0's memory"), or {@code null}. */
  private static String tooSmall(DeviceInfo d, long estimate) {
    long capacity = capacity(d);
    if (capacity < 0 || estimate <= capacity) {
      return null;
    }
    return d.device() + "'s " + (d.memoryKnown() ? "memory" : "host memory (physical RAM)");
  }

  private static String doesNotFit(ModelSpec spec, long estimate, int batch, String what,
      long limit) {
    int fits = fittingBatch(spec, limit);
    return "needs about " + mb(estimate) + " at batch " + batch + ", more than " + what + " "
        + mb(limit) + (fits > 0 ? "; batch size " + fits + " would fit"
            : "; no batch size fits: the weights and optimizer state alone exceed it");
  }

  /** The largest power-of-two batch size whose estimate fits the limit, or 0. */
  private static int fittingBatch(ModelSpec spec, long limit) {
    long[] parts = workingSet(spec);
    for (int b = 1 << 20; b >= 1; b >>= 1) {
      if ((parts[0] + parts[1] * b) * Float.BYTES <= limit) {
        return b;
      }
    }
    return 0;
  }

  static String fingerprint(ModelSpec spec, int batch) {
    String text = spec.layers() + "|" + spec.topology().calls() + "|"
        + java.util.Arrays.toString(spec.inputShape()) + "|" + spec.loss() + "|"
        + spec.optimizer() + "|" + batch;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(
          text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      return Integer.toHexString(text.hashCode());
    }
  }

  /** Bytes as MB, or as KB below one MB (a small model's estimate would read 0.0 MB). */
  static String mb(long bytes) {
    return bytes < (1 << 20) ? String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0)
        : String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
  }
}
