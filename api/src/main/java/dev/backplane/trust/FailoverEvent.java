package dev.backplane.trust;

import dev.backplane.Device;
import java.util.Objects;

/**
 * Something Backplane did because a device could not be trusted: a model placed on the fallback
 * instead of a preferred device, a running {@code fit} moved to the fallback, training stopped
 * because the model diverged, or (in strict mode) a device fault raised as an error. Immutable.
 *
 * @param kind what happened
 * @param from the device that was rejected or failed; {@code null} when unknown
 * @param to the device training runs on afterwards; {@code null} when training stops
 * @param epoch 0-based epoch of the step concerned, or -1 outside {@code fit}
 * @param step 0-based global step concerned, or -1 outside {@code fit}
 * @param reason why, in words, with the measured difference or the error; never {@code null}
 */
public record FailoverEvent(Kind kind, Device from, Device to, int epoch, long step,
    String reason) {
  /** What happened. */
  public enum Kind {
    /** Placement or compilation chose the fallback device instead of a preferred one. */
    FALLBACK,
    /** A step failed on the device; it was re-run on the fallback and training moved there. */
    FAILOVER,
    /** The fallback gave non-finite results from the same state too: the model diverged. */
    DIVERGED,
    /** Strict mode ({@code backplane.fallback=none}): the device fault was raised as an error. */
    DEVICE_FAULT
  }

  /** Validates the components. */
  public FailoverEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  /** Whether the event makes its {@link #from()} device unstable for the rest of the process. */
  public boolean marksUnstable() {
    return from != null && (kind == Kind.FAILOVER || kind == Kind.DEVICE_FAULT);
  }

  /** One line for logs and consoles, e.g. {@code Failover: metal:gpu:0 (...) threw at step 5}. */
  public String message() {
    switch (kind) {
      case FALLBACK:
        return "Fallback to " + to + ": " + reason;
      case FAILOVER:
        return "Failover: " + reason;
      case DIVERGED:
        return "Training stopped: " + reason;
      default:
        return "Device fault: " + reason;
    }
  }
}
