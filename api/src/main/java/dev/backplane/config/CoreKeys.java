package dev.backplane.config;

import java.time.Duration;
import java.util.List;

/** The configuration keys of the api itself. Backends add their own through their providers. */
public final class CoreKeys {
  private CoreKeys() {}

  /** Ordered backend preference, e.g. {@code metal,tf-java,accelerate}. */
  public static final ConfigKey<List<String>> BACKEND = ConfigKey.of("backplane.backend",
      "ordered backend or device preference", "comma-separated backend ids or device names"
          + " (case-insensitive)", null, Values::idList);

  /** One device to use, full or short form: {@code accelerate:cpu:0}, {@code cpu}, {@code gpu}. */
  public static final ConfigKey<String> DEVICE = ConfigKey.of("backplane.device",
      "the device to run on", "a device name backend:type:index or a short form (cpu, gpu, a"
          + " backend id), case-insensitive", null, s -> {
        if (s.isBlank()) {
          throw new IllegalArgumentException("expected a device name");
        }
        return s.trim().toLowerCase(java.util.Locale.ROOT);
      });

  /** What to do when no preferred device is usable. */
  public static final ConfigKey<Fallback> FALLBACK = ConfigKey.of("backplane.fallback",
      "fall back to the CPU when preferred devices are unusable", "cpu | none", "cpu",
      s -> Fallback.valueOf(Values.choice(s, "cpu", "none").toUpperCase(java.util.Locale.ROOT)));

  /** Compute threads per backend; default: the number of available processors. */
  public static final ConfigKey<Integer> THREADS = ConfigKey.of("backplane.threads",
      "compute threads per backend", "1 to 1024",
      Integer.toString(Runtime.getRuntime().availableProcessors()), s -> Values.intIn(s, 1, 1024));

  /** Seed for initial weights, shuffling and dropout. */
  public static final ConfigKey<Long> SEED = ConfigKey.of("backplane.seed",
      "seed for initial weights, shuffling and dropout", "a whole number", "42",
      Values::longValue);

  /** How placement chooses among healthy devices. */
  public static final ConfigKey<String> PLACEMENT = ConfigKey.of("backplane.placement",
      "how placement chooses among healthy devices: by backend priority, or by timing a few"
          + " training steps of the model on each", "priority | fastest", "priority",
      s -> Values.choice(s, "priority", "fastest"));

  /** The batch size placement measures and sizes a model at. */
  public static final ConfigKey<Integer> PLACEMENT_BATCH = ConfigKey.of(
      "backplane.placement.batch-size", "the batch size placement times steps and estimates"
          + " memory at", "1 to 1000000", "32", s -> Values.intIn(s, 1, 1_000_000));

  /** The most memory a model's working set may take on a device. */
  public static final ConfigKey<Long> MEMORY_LIMIT = ConfigKey.of("backplane.memory.limit",
      "the most memory a model's estimated working set may take on a device", "a size such as"
          + " 512m, 2g or a number of bytes; unset = the device's own memory", null,
      Values::bytes);

  /** How long a backend's probe may take before it is rejected as timed out. */
  public static final ConfigKey<Duration> PROBE_TIMEOUT = ConfigKey.of("backplane.probe.timeout",
      "deadline for probing a backend", "a duration from 1ms to 720h, such as 500ms, 3s, 2m",
      "5s", Values::positiveDuration);

  /** Whether probes (and canaries) run in this JVM or in a child JVM. */
  public static final ConfigKey<String> PROBE_ISOLATION = ConfigKey.of(
      "backplane.probe.isolation", "run probes and canaries of accelerator backends in a child"
          + " JVM, so a native crash or hang costs the child only", "none | process", "none",
      s -> Values.choice(s, "none", "process"));

  /** How long probe and canary verdicts are reused from the cache file; 0 disables the cache. */
  public static final ConfigKey<Duration> PROBE_CACHE = ConfigKey.of("backplane.probe.cache",
      "how long probe and canary verdicts of accelerator backends are reused (0 disables)",
      "a duration such as 24h, 30m, or 0", "24h", Values::duration);

  /** Where the verdict cache lives. */
  public static final ConfigKey<String> CACHE_DIR = ConfigKey.of("backplane.cache.dir",
      "directory of the verdict cache (verdicts.properties)",
      "a directory path; default $XDG_CACHE_HOME/backplane or ~/.cache/backplane", null,
      String::trim);

  /** Whether a non-reference device must pass a canary before its first use. */
  public static final ConfigKey<Boolean> CANARY = ConfigKey.of("backplane.canary",
      "check a non-reference device against the reference CPU kernels before its first use",
      "on | off", "on", s -> Values.choice(s, "on", "off").equals("on"));

  /** How long a canary may take. */
  public static final ConfigKey<Duration> CANARY_TIMEOUT = ConfigKey.of(
      "backplane.canary.timeout", "deadline for a device's canary",
      "a duration such as 500ms, 3s, 2m", "30s", Values::duration);

  /**
   * How long one training step may take. Enforced on non-reference devices by default; when set
   * explicitly, also on the reference CPU backend.
   */
  public static final ConfigKey<Duration> STEP_TIMEOUT = ConfigKey.of("backplane.step.timeout",
      "deadline for one training step", "a duration such as 500ms, 3s, 2m", "60s",
      Values::duration);

  /** Every how many steps a non-reference device's step is re-run on the reference; 0 is off. */
  public static final ConfigKey<Integer> AUDIT_EVERY = ConfigKey.of("backplane.audit.every",
      "re-run every N-th training step of a non-reference device on the reference CPU kernels"
          + " and compare (0 = off)", "0 to 1000000", "0", s -> Values.intIn(s, 0, 1_000_000));

  /**
   * Every how many guarded steps a non-reference device's state is copied to the host; on a fault
   * the fallback restores that copy and replays the batches run since. 1 copies before every step.
   */
  public static final ConfigKey<Integer> GUARD_SNAPSHOT_EVERY = ConfigKey.of(
      "backplane.guard.snapshot.every", "copy a non-reference device's weights and optimizer"
          + " state to the host every N training steps; a fault replays the batches since the last"
          + " copy on the fallback device (1 = before every step)", "1 to 1000000", "50",
      s -> Values.intIn(s, 1, 1_000_000));

  /** Relative tolerance of canaries and audits. */
  public static final ConfigKey<Double> TRUST_TOLERANCE = ConfigKey.of(
      "backplane.trust.tolerance", "relative tolerance when canaries and audits compare a device"
          + " with the reference CPU kernels", "a number > 0 and < 1, e.g. 1e-3", "1e-3",
      Values::tolerance);

  /** Path of a properties file to read configuration from. */
  public static final ConfigKey<String> CONFIG = ConfigKey.of("backplane.config",
      "properties file with more configuration", "a file path",
      null, String::trim);

  /** All core keys. */
  public static List<ConfigKey<?>> all() {
    return List.of(BACKEND, DEVICE, FALLBACK, PLACEMENT, PLACEMENT_BATCH, MEMORY_LIMIT, THREADS,
        SEED, PROBE_TIMEOUT, PROBE_ISOLATION,
        PROBE_CACHE, CACHE_DIR, CANARY, CANARY_TIMEOUT, STEP_TIMEOUT, AUDIT_EVERY,
        GUARD_SNAPSHOT_EVERY, TRUST_TOLERANCE, CONFIG);
  }
}
