package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Probe;

/**
 * Providers for probe-isolation tests, instantiable by class name in a child JVM. The dangerous
 * ones misbehave only inside a child probe process (system property {@code dev.backplane.child}),
 * so a mistake can never take the test JVM down.
 */
public final class ChildProviders {
  private ChildProviders() {}

  static boolean inChild() {
    return Boolean.getBoolean("dev.backplane.child");
  }

  /** An honest accelerator, {@code honest:gpu:0}, computing with the reference test kernels. */
  public static final class Honest extends GpuProvider {
    /** Id {@code honest}. */
    public Honest() {
      super("honest");
    }
  }

  /** Its probe halts the JVM with exit code 77, as a native crash would. */
  public static final class Halting extends GpuProvider {
    /** Id {@code halts}. */
    public Halting() {
      super("halts");
    }

    @Override
    public Probe probe(BackendContext context) {
      if (inChild()) {
        Runtime.getRuntime().halt(77);
      }
      throw new IllegalStateException("would have halted the JVM");
    }
  }

  /** Its probe never returns. */
  public static final class Hanging extends GpuProvider {
    /** Id {@code hangs}. */
    public Hanging() {
      super("hangs");
    }

    @Override
    public Probe probe(BackendContext context) {
      while (true) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          // a native hang does not care either
        }
      }
    }
  }

  /** Hangs in its constructor in a child, outside any probe deadline: the parent must kill it. */
  public static final class Stuck extends GpuProvider {
    /** Id {@code stuck}. */
    public Stuck() {
      super("stuck");
      while (inChild()) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          // keep hanging
        }
      }
    }

    @Override
    public Probe probe(BackendContext context) {
      return Probe.unavailable(Device.gpu("stuck", 0), "only hangs in a child");
    }
  }

  /** Its device detail lists the incubator modules of the JVM that probed it. */
  public static final class ModuleReporting extends GpuProvider {
    /** Id {@code modules}. */
    public ModuleReporting() {
      super("modules");
    }

    @Override
    public Probe probe(BackendContext context) {
      String modules = String.join(",", ModuleLayer.boot().modules().stream()
          .map(Module::getName).filter(n -> n.startsWith("jdk.incubator.")).sorted().toList());
      return Probe.of(new dev.backplane.DeviceInfo(Device.gpu("modules", 0),
          dev.backplane.DeviceStatus.READY, "incubator modules: [" + modules + "]"));
    }
  }
}
