package dev.backplane.metal;

import dev.backplane.BackendException;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Probe;
import java.util.List;

/**
 * The simulated Metal device ({@code backplane.metal.simulate}): it has no kernels of its own. Its
 * executables wrap executables of the reference CPU backend, opened through
 * {@link BackendContext#openReference()} (never by depending on a CPU backend module), in a
 * {@link FaultInjectingExecutable}.
 */
final class SimulatedMetalBackend implements Backend {
  private final SimulationMode mode;
  private final BackendContext context;
  private Backend reference;

  SimulatedMetalBackend(SimulationMode mode, BackendContext context) {
    this.mode = mode;
    this.context = context;
  }

  /** The simulated device, as every probe, explanation and table shows it. */
  static DeviceInfo device(SimulationMode mode) {
    return new DeviceInfo(MetalProvider.DEVICE, DeviceStatus.EXPERIMENTAL,
        "simulated Metal device (mode " + mode + ") computing with the reference CPU kernels");
  }

  /** The simulated probe: the device, or the probe fault the mode asks for. */
  static Probe probe(SimulationMode mode) {
    if (mode.inProbe()) {
      String fault = "simulated Metal fault (backplane.metal.simulate=" + mode + "): ";
      switch (mode.kind()) {
        case CRASH:
          throw new IllegalStateException(fault + "the probe crashed");
        case HANG:
          sleepForever();
          break;
        case HALT:
          if (Boolean.getBoolean("dev.backplane.child")) {
            Runtime.getRuntime().halt(134);
          }
          throw new IllegalStateException(fault + "it halts the JVM that probes, so it acts only"
              + " in a child probe process; set backplane.probe.isolation=process");
        default:
          break;
      }
    }
    return Probe.of(device(mode));
  }

  /** Blocks like a hung driver call: interrupts do not end it. */
  private static void sleepForever() {
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // a hung driver does not notice either
      }
    }
  }

  @Override
  public String id() {
    return MetalProvider.ID;
  }

  @Override
  public List<DeviceInfo> devices() {
    return List.of(device(mode));
  }

  @Override
  public synchronized Executable compile(ModelSpec spec, Device device) {
    if (!device.equals(MetalProvider.DEVICE)) {
      throw new IllegalArgumentException("The Metal backend has one device, "
          + MetalProvider.DEVICE + "; got " + device);
    }
    if (reference == null) {
      reference = context.openReference();
    }
    Device cpu = null;
    for (DeviceInfo d : reference.devices()) {
      if (d.status().usable()) {
        cpu = d.device();
        break;
      }
    }
    if (cpu == null) {
      throw new BackendException(device, "The simulated Metal device found no usable device in"
          + " the reference backend '" + reference.id() + "'", null);
    }
    Executable compiled;
    try {
      compiled = reference.compile(spec, cpu);
    } catch (UnsupportedFeatureException e) {
      // The simulated device is what the user placed on: the refusal must name it, not the
      // reference backend that computes for it.
      UnsupportedFeatureException own = new UnsupportedFeatureException(MetalProvider.ID,
          e.feature());
      own.initCause(e);
      throw own;
    }
    return new FaultInjectingExecutable(compiled, device, mode);
  }

  @Override
  public synchronized void close() {
    if (reference != null) {
      reference.close();
      reference = null;
    }
  }
}
