package dev.backplane.io.testing;

import dev.backplane.testing.SimpleBackend;
import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A provider of {@link MiniExecutable}s on one READY CPU device, {@code <id>:cpu:0}, and
 * Backplanes built over such providers only (no ServiceLoader, no ambient configuration).
 */
public final class MiniProvider implements BackendProvider {
  private final String id;
  private final int priority;

  /** A provider with this id and priority. */
  public MiniProvider(String id, int priority) {
    this.id = id;
    this.priority = priority;
  }

  /** An isolated Backplane over mini providers with these ids (the first is preferred). */
  public static Backplane backplane(String... ids) {
    BackplaneConfig config = BackplaneConfig.builder().systemProperties(new Properties())
        .environment(Map.of()).classpathFile(false).set("backplane.seed", "7").build();
    Backplane.Builder b = Backplane.builder().serviceLoader(false).config(config);
    for (int i = 0; i < ids.length; i++) {
      b.addProvider(new MiniProvider(ids[i], 100 - i));
    }
    return b.build();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public Probe probe(BackendContext context) {
    return new Probe(List.of(device()));
  }

  private DeviceInfo device() {
    return new DeviceInfo(Device.cpu(id, 0), DeviceStatus.READY, "mini reference (tests)");
  }

  @Override
  public Backend open(BackendContext context) {
    return new SimpleBackend(id, List.of(device()), MiniExecutable::new);
  }
}
