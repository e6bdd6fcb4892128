package dev.backplane.internal.placement;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** The host's physical memory, which a CPU device offers a model unless its probe says less. */
public final class HostMemory {
  private HostMemory() {}

  /** Physical memory in bytes, or -1 where the JVM does not report it. */
  public static long physicalBytes() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      long total = sun.getTotalMemorySize();
      return total > 0 ? total : -1;
    }
    return -1;
  }
}
