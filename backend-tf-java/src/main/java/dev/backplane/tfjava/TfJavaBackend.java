package dev.backplane.tfjava;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The opened {@code tf-java} backend: TensorFlow's devices as found at open time, and the
 * executables compiled on them (closed with the backend).
 */
final class TfJavaBackend implements Backend {
  private final SessionSettings settings;
  private final List<TfDevice> devices;
  private final List<DeviceInfo> infos;
  private final Set<TfJavaExecutable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  TfJavaBackend(SessionSettings settings) {
    this.settings = settings;
    this.devices = List.copyOf(TfJavaProbe.listDevices(settings));
    this.infos = List.copyOf(TfJavaProbe.describe(devices, settings));
  }

  /** Loads TensorFlow and lists its devices. */
  static TfJavaBackend open(BackendContext context) {
    return new TfJavaBackend(SessionSettings.from(context));
  }

  @Override
  public String id() {
    return TfJavaProvider.ID;
  }

  @Override
  public List<DeviceInfo> devices() {
    return infos;
  }

  /** The api ops this backend lowers to TensorFlow. */
  @Override
  public Set<String> supportedOps() {
    return Lowering.SUPPORTED;
  }

  @Override
  public Executable compile(ModelSpec spec, Device device) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(device, "device");
    if (closed) {
      throw new IllegalStateException("Backend '" + id() + "' is closed");
    }
    TfJavaExecutable executable = TfJavaExecutable.compile(spec, find(device), settings, open::remove);
    open.add(executable);
    return executable;
  }

  private TfDevice find(Device device) {
    List<String> known = new ArrayList<>();
    for (TfDevice d : devices) {
      if (d.device().equals(device)) {
        return d;
      }
      known.add(d.device().toString());
    }
    throw new IllegalArgumentException("Backend '" + id() + "' has no device " + device
        + "; TensorFlow found " + known);
  }

  @Override
  public void close() {
    closed = true;
    for (TfJavaExecutable e : List.copyOf(open)) {
      e.close();
    }
  }
}
