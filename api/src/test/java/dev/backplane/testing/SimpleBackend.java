package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A {@link Backend} for test providers, made of its parts: an id, its devices, how it compiles
 * and what closing does. Saves every test provider from writing the same anonymous class.
 */
public final class SimpleBackend implements Backend {
  private final String id;
  private final List<DeviceInfo> devices;
  private final BiFunction<ModelSpec, Device, Executable> compiler;
  private final Runnable onClose;

  /**
   * @param id the backend id
   * @param devices the devices it reports
   * @param compiler compiles a spec for a device
   * @param onClose runs on every {@link #close()}
   */
  public SimpleBackend(String id, List<DeviceInfo> devices,
      BiFunction<ModelSpec, Device, Executable> compiler, Runnable onClose) {
    this.id = id;
    this.devices = List.copyOf(devices);
    this.compiler = compiler;
    this.onClose = onClose;
  }

  /** A backend whose close does nothing. */
  public SimpleBackend(String id, List<DeviceInfo> devices,
      BiFunction<ModelSpec, Device, Executable> compiler) {
    this(id, devices, compiler, () -> {});
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public List<DeviceInfo> devices() {
    return devices;
  }

  @Override
  public Executable compile(ModelSpec spec, Device device) {
    return compiler.apply(spec, device);
  }

  @Override
  public void close() {
    onClose.run();
  }
}
