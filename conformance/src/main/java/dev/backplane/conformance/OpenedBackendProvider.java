package dev.backplane.conformance;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceType;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Probe;
import java.util.List;

/**
 * Presents an already opened backend as a provider, so checks can go through the user API
 * ({@link dev.backplane.model.Sequential} on a {@link dev.backplane.Backplane}) on exactly the
 * backend and device under test, without opening it a second time and without configuration
 * the kit does not know. Closing the view leaves the backend open.
 */
final class OpenedBackendProvider implements BackendProvider {
  private final String id;
  private final DeviceInfo device;
  private final Backend backend;

  OpenedBackendProvider(String id, DeviceInfo device, Backend backend) {
    this.id = id;
    this.device = device;
    this.backend = backend;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public DeviceType deviceType() {
    return device.device().type();
  }

  @Override
  public Probe probe(BackendContext context) {
    return Probe.of(device);
  }

  @Override
  public Backend open(BackendContext context) {
    return new Backend() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public List<DeviceInfo> devices() {
        return List.of(device);
      }

      @Override
      public Executable compile(ModelSpec spec, Device d) {
        return backend.compile(spec, d);
      }

      @Override
      public void close() {
        // The session owns the backend.
      }
    };
  }
}
