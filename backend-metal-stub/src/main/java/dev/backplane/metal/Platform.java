package dev.backplane.metal;

import java.util.Locale;

/** Where we are, from {@code os.name} and {@code os.arch}, in words people use. */
final class Platform {
  private Platform() {}

  static boolean isAppleSilicon() {
    return isMac() && (arch().equals("aarch64") || arch().equals("arm64"));
  }

  private static boolean isMac() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    return os.startsWith("mac") || os.startsWith("darwin");
  }

  private static String arch() {
    return System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
  }

  /** E.g. {@code Linux amd64}, {@code macOS x86_64}, {@code Windows amd64}. */
  static String describe() {
    String os = System.getProperty("os.name", "an unknown OS");
    if (isMac()) {
      os = "macOS";
    } else if (os.startsWith("Windows")) {
      os = "Windows";
    }
    return os + " " + arch();
  }

  /** Why Metal is not available here. */
  static String unavailableReason() {
    return "Metal needs macOS on Apple silicon; this is " + describe();
  }
}
