package dev.backplane;

import java.util.Objects;

/**
 * A device as a probe reports it: the device, its status and a human-readable detail (library,
 * version, threads, or the reason it is unavailable).
 *
 * @param device never {@code null}
 * @param status never {@code null}
 * @param detail never {@code null}; for an unusable device, the reason
 */
public record DeviceInfo(Device device, DeviceStatus status, String detail) {
  /** Validates the components. */
  public DeviceInfo {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  /** A copy with another status and detail, e.g. after a failed canary. */
  public DeviceInfo withStatus(DeviceStatus newStatus, String newDetail) {
    return new DeviceInfo(device, newStatus, newDetail);
  }
}
