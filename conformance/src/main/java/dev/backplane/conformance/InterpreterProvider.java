package dev.backplane.conformance;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.ops.OpSet;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.OpSupport;
import dev.backplane.spi.Probe;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The kit's built-in reference: the api's float64 interpreter of the op set behind the SPI
 * (device {@code interpreter:cpu:0}). It shares no kernel with any backend, so a backend module
 * runs the kit with {@code Conformance.of(new ItsProvider()).reference(new
 * InterpreterProvider())} and needs no other backend on its class path. Not registered with
 * ServiceLoader: applications never place models on it.
 */
public final class InterpreterProvider implements BackendProvider {
  /** The provider's id. */
  public static final String ID = "interpreter";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public boolean servesAsReference() {
    return true;
  }

  private static List<DeviceInfo> devices() {
    return List.of(new DeviceInfo(Device.cpu(ID, 0), DeviceStatus.READY,
        "float64 reference interpreter of the op set"));
  }

  @Override
  public Probe probe(BackendContext context) {
    return new Probe(devices());
  }

  @Override
  public Backend open(BackendContext context) {
    return new Backend() {
      @Override
      public String id() {
        return ID;
      }

      @Override
      public List<DeviceInfo> devices() {
        return InterpreterProvider.devices();
      }

      @Override
      public Set<String> supportedOps() {
        return new LinkedHashSet<>(OpSet.names());
      }

      @Override
      public Executable compile(ModelSpec spec, Device device) {
        InterpreterExecutable exe = new InterpreterExecutable(spec, device);
        OpSupport.require(ID, exe.programs(), supportedOps());
        return exe;
      }

      @Override
      public void close() {}
    };
  }
}
