package dev.backplane;

/** How far a device can be trusted, as its probe (and later its canary) found it. */
public enum DeviceStatus {
  /** Present and trusted: placement may choose it. */
  READY,
  /** Present but experimental: chosen only when asked for by name or backend. */
  EXPERIMENTAL,
  /** Not present here, or its library failed to load; the detail says why. */
  UNAVAILABLE,
  /** Present, but it failed a canary, an audit or a step; never chosen again in this process. */
  UNSTABLE;

  /** Whether placement may run a model on a device with this status. */
  public boolean usable() {
    return this == READY || this == EXPERIMENTAL;
  }
}
