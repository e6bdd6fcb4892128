package dev.backplane.trust;

import dev.backplane.BackendException;
import dev.backplane.Device;

/**
 * A device failed a training step (threw, exceeded {@code backplane.step.timeout}, returned
 * non-finite numbers while the reference did not, or drifted from the reference in an audit) and
 * {@code backplane.fallback=none} forbids moving to the CPU. The message carries the diagnosis;
 * the device is marked unstable for the rest of the process.
 */
public class DeviceFaultException extends BackendException {
  /**
   * @param device the failing device
   * @param message the diagnosis and what to do about it
   * @param cause the device's own error, may be {@code null}
   */
  public DeviceFaultException(Device device, String message, Throwable cause) {
    super(device, message, cause);
  }
}
