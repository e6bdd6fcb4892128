package dev.backplane;

import java.util.Objects;

/**
 * A device as a probe reports it: the device, its status, a human-readable detail (library,
 * version, threads, or the reason it is unavailable) and, when the probe knows it, how much
 * memory the device offers a model.
 *
 * @param device never {@code null}
 * @param status never {@code null}
 * @param detail never {@code null}; for an unusable device, the reason
 * @param memoryBytes the memory a model may use on the device in bytes (a GPU's memory, Metal's
 *     recommended working-set size), or {@link #UNKNOWN_MEMORY}; for a CPU device placement uses
 *     the host's physical memory when the probe does not say
 */
public record DeviceInfo(Device device, DeviceStatus status, String detail, long memoryBytes) {
  /** {@link #memoryBytes()} when the probe does not know. */
  public static final long UNKNOWN_MEMORY = -1;

  /** Validates the components. */
  public DeviceInfo {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    if (memoryBytes < 0 && memoryBytes != UNKNOWN_MEMORY) {
      throw new IllegalArgumentException("memoryBytes must be >= 0 or UNKNOWN_MEMORY, got "
          + memoryBytes);
    }
  }

  /** A device whose memory the probe does not know. */
  public DeviceInfo(Device device, DeviceStatus status, String detail) {
    this(device, status, detail, UNKNOWN_MEMORY);
  }

  /** A copy with another status and detail, e.g. after a failed canary. */
  public DeviceInfo withStatus(DeviceStatus newStatus, String newDetail) {
    return new DeviceInfo(device, newStatus, newDetail, memoryBytes);
  }

  /** The same device with this much memory. */
  public DeviceInfo withMemory(long bytes) {
    return new DeviceInfo(device, status, detail, bytes);
  }

  /** Whether the probe said how much memory the device has. */
  public boolean memoryKnown() {
    return memoryBytes != UNKNOWN_MEMORY;
  }
}
