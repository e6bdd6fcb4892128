package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.config.BackplaneConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration flags every command shares: the same keys as {@code -Dkey=value} and as
 * named flags. Flags take precedence over system properties, environment and files.
 */
final class ConfigOptions {
  @Option(names = "-D", paramLabel = "key=value",
      description = "Set a configuration key, e.g. -Dbackplane.threads=2")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(names = "--backend", paramLabel = "LIST",
      description = "Ordered backend/device preference (backplane.backend), e.g. metal,accelerate")
  String backend;

  @Option(names = "--device", paramLabel = "DEVICE",
      description = "Device to use (backplane.device), e.g. accelerate:cpu:0 or cpu")
  String device;

  @Option(names = "--fallback", paramLabel = "POLICY",
      description = "cpu (default) or none (backplane.fallback)")
  String fallback;

  @Option(names = "--threads", paramLabel = "N", description = "Compute threads (backplane.threads)")
  String threads;

  @Option(names = "--seed", paramLabel = "N", description = "Seed (backplane.seed)")
  String seed;

  /** The configuration with these flags applied on top of the standard sources. */
  BackplaneConfig config() {
    BackplaneConfig.Builder b = BackplaneConfig.builder();
    properties.forEach((k, v) -> {
      // -D without a value reads as key=true in picocli; keys must still be known.
      b.set(k, v);
    });
    set(b, "backplane.backend", backend);
    set(b, "backplane.device", device);
    set(b, "backplane.fallback", fallback);
    set(b, "backplane.threads", threads);
    set(b, "backplane.seed", seed);
    return b.build();
  }

  private static void set(BackplaneConfig.Builder b, String key, String value) {
    if (value != null) {
      b.set(key, value);
    }
  }

  /** A Backplane built from this configuration with providers from the class path. */
  Backplane backplane() {
    return Backplane.builder().config(config()).build();
  }
}
