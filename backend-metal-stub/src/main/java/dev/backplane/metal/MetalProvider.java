package dev.backplane.metal;

import dev.backplane.BackendException;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.config.ConfigKey;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.util.List;
import java.util.Locale;

/**
 * The {@code metal} backend: one device, {@code metal:gpu:0}, priority 200 (above the CPU's 100,
 * though an EXPERIMENTAL device is only chosen when named).
 *
 * <p>Probe: with {@code backplane.metal.simulate} set, a simulated device (or the simulated probe
 * fault); else on macOS on Apple silicon, real detection through JNA
 * ({@code MTLCreateSystemDefaultDevice}, the device name, its recommended working-set size);
 * anywhere else UNAVAILABLE, "Metal needs macOS on Apple silicon; this is Linux amd64". The
 * constructor and every method but the Mac branch of {@link #probe} stay away from JNA, so no JNA
 * class is loaded on other systems. Detection goes through {@link MetalDevices}, which tests
 * replace with a fake to run the Mac branch anywhere.
 */
public final class MetalProvider implements BackendProvider {
  /** The backend id. */
  public static final String ID = "metal";
  /** The one device. */
  public static final Device DEVICE = Device.gpu(ID, 0);

  /** {@code backplane.metal.simulate}: a fault to simulate on any OS; unset by default. */
  public static final ConfigKey<SimulationMode> SIMULATE = ConfigKey.of(
      "backplane.metal.simulate", "simulate a Metal device computing with the reference CPU"
          + " kernels that injects this fault (for testing fallback)", SimulationMode.ALLOWED,
      null, SimulationMode::parse);

  /** Where GPUs are found; null: {@link MetalProbe} on Apple silicon, none elsewhere. */
  private final MetalDevices devices;

  /** Cheap: touches nothing native. */
  public MetalProvider() {
    this(null);
  }

  /**
   * With {@code devices} in place of real detection, as on a Mac (tests).
   *
   * @param devices what finds the GPUs, or {@code null} for the real detection on Apple silicon
   */
  MetalProvider(MetalDevices devices) {
    this.devices = devices;
  }

  /** The detection to use here, or {@code null} where Metal cannot be (not Apple silicon). */
  private MetalDevices devices() {
    if (devices != null) {
      return devices;
    }
    // Constructed only here, so MetalProbe (and JNA) load only on Apple silicon.
    return Platform.isAppleSilicon() ? new MetalProbe() : null;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int priority() {
    return 200;
  }

  @Override
  public DeviceType deviceType() {
    return DeviceType.GPU;
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return List.of(SIMULATE);
  }

  @Override
  public Probe probe(BackendContext context) {
    SimulationMode mode = context.get(SIMULATE);
    if (mode != null) {
      return SimulatedMetalBackend.probe(mode);
    }
    MetalDevices found = devices();
    if (found == null) {
      return Probe.unavailable(DEVICE, Platform.unavailableReason());
    }
    return detect(found);
  }

  /** The probe on a Mac: the system default GPU's name and working-set size, or why not. */
  static Probe detect(MetalDevices devices) {
    List<MetalDevices.MetalGpu> gpus;
    try {
      gpus = devices.list();
    } catch (LinkageError | RuntimeException e) {
      return Probe.unavailable(DEVICE, "the Metal framework could not be used: " + e);
    }
    if (gpus == null || gpus.isEmpty()) {
      return Probe.unavailable(DEVICE, "the Metal framework is present but"
          + " MTLCreateSystemDefaultDevice returned no device");
    }
    MetalDevices.MetalGpu gpu = gpus.get(0);
    return Probe.of(new DeviceInfo(DEVICE, DeviceStatus.EXPERIMENTAL, String.format(Locale.ROOT,
        "%s, recommended working set %.1f GiB; detection only: the Metal backend has no kernels"
            + " yet", gpu.name(), gpu.recommendedWorkingSetBytes() / 1073741824.0),
        gpu.recommendedWorkingSetBytes() > 0 ? gpu.recommendedWorkingSetBytes()
            : DeviceInfo.UNKNOWN_MEMORY));
  }

  @Override
  public Backend open(BackendContext context) {
    SimulationMode mode = context.get(SIMULATE);
    if (mode != null) {
      return new SimulatedMetalBackend(mode, context);
    }
    if (devices() == null) {
      throw new BackendException(DEVICE, "The Metal backend cannot be opened: "
          + Platform.unavailableReason(), null);
    }
    return new MetalBackend(List.of(new DeviceInfo(DEVICE, DeviceStatus.EXPERIMENTAL,
        "Metal (detection only)")));
  }
}
