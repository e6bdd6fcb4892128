package dev.backplane;

/**
 * No device could be chosen: every preferred device is unusable and the fallback policy is
 * {@code none}, or no usable device exists at all. The message carries the full placement
 * explanation.
 */
public class PlacementException extends BackplaneException {
  /** @param message the reason followed by the explanation, one line per candidate */
  public PlacementException(String message) {
    super(message);
  }
}
