package dev.backplane;

/**
 * A backend failed while opening, compiling or running a step. The message names the backend and
 * the device; the native or library error is kept as the cause and quoted in the message.
 */
public class BackendException extends BackplaneException {
  private final Device device;

  /**
   * @param device the device the failure happened on, may be {@code null} when not yet placed
   * @param message what failed
   * @param cause the backend's own error, may be {@code null}
   */
  public BackendException(Device device, String message, Throwable cause) {
    super(device == null ? message : message + " [device " + device + "]", cause);
    this.device = device;
  }

  /** The device the failure happened on, or {@code null} when it happened before placement. */
  public Device device() {
    return device;
  }
}
