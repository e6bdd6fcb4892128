package dev.backplane.metal;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import java.util.List;

/**
 * The Metal backend on a real Mac: it has no kernels yet, so every compile refuses, by name. Its
 * canary therefore fails and placement falls back to the CPU, saying why.
 */
final class MetalBackend implements Backend {
  /** Why nothing compiles. */
  static final String NO_KERNELS = "the Metal backend has no kernels yet (backend-metal-stub"
      + " only detects Metal; set backplane.metal.simulate to test fallback)";

  private final List<DeviceInfo> devices;

  MetalBackend(List<DeviceInfo> devices) {
    this.devices = List.copyOf(devices);
  }

  @Override
  public String id() {
    return MetalProvider.ID;
  }

  @Override
  public List<DeviceInfo> devices() {
    return devices;
  }

  @Override
  public Executable compile(ModelSpec spec, Device device) {
    throw new UnsupportedFeatureException(MetalProvider.ID, "model '" + spec.name() + "': "
        + NO_KERNELS);
  }

  @Override
  public void close() {}
}
