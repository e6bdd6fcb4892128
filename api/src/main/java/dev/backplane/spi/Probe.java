package dev.backplane.spi;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import java.util.List;
import java.util.Objects;

/**
 * What a probe found: the backend's devices with their status and detail. A probe that fails
 * reports its devices as {@link DeviceStatus#UNAVAILABLE} with the cause instead of throwing.
 *
 * @param devices the devices, never empty
 */
public record Probe(List<DeviceInfo> devices) {
  /** Validates and copies the list. */
  public Probe {
    devices = List.copyOf(Objects.requireNonNull(devices, "devices"));
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("A probe reports at least one device");
    }
  }

  /** A probe that found these devices. */
  public static Probe of(DeviceInfo... devices) {
    return new Probe(List.of(devices));
  }

  /** The device is not usable here, for this reason. */
  public static Probe unavailable(Device device, String reason) {
    return of(new DeviceInfo(device, DeviceStatus.UNAVAILABLE, reason));
  }
}
