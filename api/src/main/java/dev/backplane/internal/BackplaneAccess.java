package dev.backplane.internal;

import dev.backplane.Backplane;
import dev.backplane.trust.FailoverEvent;
import java.util.Objects;

/**
 * What the api's own packages may ask of a {@link Backplane} that applications may not: report a
 * fallback or failover (which marks the device unstable). {@code Backplane} installs the bridge
 * when its class initializes, as the JDK's shared secrets do; this package is not exported.
 */
public final class BackplaneAccess {
  /** The operations, implemented inside {@code Backplane}. */
  public interface Bridge {
    /** Reports an event: marks its device unstable when it says so, logs it, tells listeners. */
    void report(Backplane backplane, FailoverEvent event);
  }

  private static volatile Bridge bridge;

  private BackplaneAccess() {}

  /** Called once, by {@code Backplane}'s static initializer. */
  public static void install(Bridge b) {
    if (bridge != null) {
      throw new IllegalStateException("the Backplane bridge is installed already");
    }
    bridge = Objects.requireNonNull(b, "bridge");
  }

  /** {@link Bridge#report}. */
  public static void report(Backplane backplane, FailoverEvent event) {
    // A Backplane instance exists, so its class, which installs the bridge, is initialized.
    bridge.report(backplane, event);
  }
}
