package dev.backplane.examples;

import dev.backplane.Backplane;
import dev.backplane.DeviceInfo;
import java.io.PrintStream;

/**
 * Lists the devices this machine offers, as {@code backplane devices} does: every backend found
 * on the class path or the module path, each device with its status and detail.
 */
public final class ListDevices {
  private ListDevices() {}

  /** Runs the example on {@code System.out}. */
  public static void main(String[] args) {
    run(System.out);
  }

  /** Prints one line per device and the backends found; returns how many devices are usable. */
  public static int run(PrintStream out) {
    try (Backplane bp = Backplane.create()) {
      int usable = 0;
      for (DeviceInfo d : bp.devices()) {
        out.println(d.device() + "  " + d.status() + "  " + d.detail());
        usable += d.status().usable() ? 1 : 0;
      }
      out.println(bp.summaryLine());
      return usable;
    }
  }
}
