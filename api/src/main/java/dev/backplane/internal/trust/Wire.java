package dev.backplane.internal.trust;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;

/**
 * The text form of probe results and verdicts, shared by the verdict cache file and the line
 * protocol of child probe processes: one device per line, {@code device TAB status TAB detail},
 * with backslash, tab and line breaks in the detail escaped.
 */
public final class Wire {
  private Wire() {}

  /** {@code device, status, detail} and, when known, the memory in bytes, tab-separated. */
  public static String encode(DeviceInfo d) {
    return d.device() + "\t" + d.status().name() + "\t" + escape(d.detail())
        + (d.memoryKnown() ? "\t" + d.memoryBytes() : "");
  }

  /**
   * Reads {@link #encode}'s line (lines written before the memory field read as unknown memory).
   *
   * @throws IllegalArgumentException for a malformed line
   */
  public static DeviceInfo decode(String line) {
    String[] parts = line.split("\t", 4);
    if (parts.length < 3) {
      throw new IllegalArgumentException("Malformed device line '" + line + "'");
    }
    long memory = DeviceInfo.UNKNOWN_MEMORY;
    if (parts.length == 4) {
      try {
        memory = Long.parseLong(parts[3]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Malformed device line '" + line + "'", e);
      }
    }
    return new DeviceInfo(Device.parse(parts[0]), DeviceStatus.valueOf(parts[1]),
        unescape(parts[2]), memory);
  }

  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  public static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        b.append(c);
        continue;
      }
      char n = s.charAt(++i);
      b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
    }
    return b.toString();
  }
}
