package dev.backplane.testing;

import dev.backplane.Backplane;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.spi.BackendProvider;
import java.util.Map;
import java.util.Properties;

/** Backplanes for tests: no ServiceLoader, no system properties, environment or files. */
public final class TestBackplanes {
  private TestBackplanes() {}

  /**
   * An isolated configuration with these programmatic keys (alternating key, value). The verdict
   * cache is off ({@code backplane.probe.cache=0}) unless the keys set it, so no test reads or
   * writes the user's cache directory.
   */
  public static BackplaneConfig config(String... keyValues) {
    BackplaneConfig.Builder b = BackplaneConfig.builder().systemProperties(new Properties())
        .environment(Map.of()).classpathFile(false).set("backplane.probe.cache", "0");
    for (int i = 0; i < keyValues.length; i += 2) {
      b.set(keyValues[i], keyValues[i + 1]);
    }
    return b.build();
  }

  /** A Backplane over exactly these providers. */
  public static Backplane of(BackplaneConfig config, BackendProvider... providers) {
    Backplane.Builder b = Backplane.builder().serviceLoader(false).config(config);
    for (BackendProvider p : providers) {
      b.addProvider(p);
    }
    return b.build();
  }
}
