package dev.backplane.conformance;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Live threads and the resident set of this process. */
final class ResourceMeter {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ResourceMeter() {}

  /** Live threads, daemon or not, as the JVM's thread bean counts them. */
  static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /**
   * Waits up to {@code millis} for the live thread count to fall to {@code target}, collecting
   * garbage on the way (cleaners and finalizers may end threads).
   *
   * @return the count at the end
   */
  static int settleThreads(int target, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000;
    int now = threads();
    while (now > target && System.nanoTime() < deadline) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      now = threads();
    }
    return now;
  }

  /** The resident set size in bytes ({@code VmRSS}), where {@code /proc} has it. */
  static OptionalLong residentBytes() {
    if (!Files.isReadable(STATUS)) {
      return OptionalLong.empty();
    }
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** Collects garbage a few times so that the heap is as small as it will get. */
  static void collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
