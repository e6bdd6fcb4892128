package dev.backplane.config;

import java.time.Duration;
import java.util.List;

/** The configuration keys of the api itself. Backends add their own through their providers. */
public final class CoreKeys {
  private CoreKeys() {}

  /** Ordered backend preference, e.g. {@code metal,tf-java,accelerate}. */
  public static final ConfigKey<List<String>> BACKEND = ConfigKey.of("backplane.backend",
      "ordered backend or device preference", "comma-separated backend ids or device names",
      null, Values::list);

  /** One device to use, full or short form: {@code accelerate:cpu:0}, {@code cpu}, {@code gpu}. */
  public static final ConfigKey<String> DEVICE = ConfigKey.of("backplane.device",
      "the device to run on", "a device name backend:type:index or a short form (cpu, gpu, a backend id)",
      null, s -> {
        if (s.isBlank()) {
          throw new IllegalArgumentException("expected a device name");
        }
        return s.trim();
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

  /** How long a backend's probe may take before it is rejected as timed out. */
  public static final ConfigKey<Duration> PROBE_TIMEOUT = ConfigKey.of("backplane.probe.timeout",
      "deadline for probing a backend", "a duration such as 500ms, 3s, 2m", "5s",
      Values::duration);

  /** Path of a properties file to read configuration from. */
  public static final ConfigKey<String> CONFIG = ConfigKey.of("backplane.config",
      "properties file with more configuration", "a file path",
      null, String::trim);

  /** All core keys. */
  public static List<ConfigKey<?>> all() {
    return List.of(BACKEND, DEVICE, FALLBACK, THREADS, SEED, PROBE_TIMEOUT, CONFIG);
  }
}
