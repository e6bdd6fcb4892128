package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Probe;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * An accelerator for trust tests: one READY device {@code <id>:gpu:0}, not a reference, whose
 * executables come from a function the test supplies (typically a Mockito spy of a
 * {@link ReferenceExecutable} that misbehaves at some step).
 */
public class GpuProvider implements BackendProvider {
  private final String id;
  private final BiFunction<ModelSpec, Device, Executable> compiler;
  /** Executables compiled so far, in order (the canary's first, if it ran). */
  public final List<Executable> compiled = new ArrayList<>();

  /** A provider whose executables compute with the reference test kernels. */
  public GpuProvider(String id) {
    this(id, (spec, device) -> new ReferenceExecutable(spec, device, id));
  }

  /** A provider whose executables come from {@code compiler}. */
  public GpuProvider(String id, BiFunction<ModelSpec, Device, Executable> compiler) {
    this.id = id;
    this.compiler = compiler;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int priority() {
    return 150;
  }

  @Override
  public DeviceType deviceType() {
    return DeviceType.GPU;
  }

  private List<DeviceInfo> devices() {
    return List.of(new DeviceInfo(Device.gpu(id, 0), DeviceStatus.READY, "test GPU " + id));
  }

  @Override
  public Probe probe(BackendContext context) {
    return new Probe(devices());
  }

  @Override
  public Backend open(BackendContext context) {
    return new SimpleBackend(id, devices(), (spec, device) -> {
      Executable e = compiler.apply(spec, device);
      synchronized (compiled) {
        compiled.add(e);
      }
      return e;
    });
  }
}
