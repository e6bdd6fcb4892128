package dev.backplane;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The kind of a device: {@link #CPU}, {@link #GPU} or an open custom type such as {@code "npu"}.
 * Metal devices are {@code gpu} devices of the {@code metal} backend, not a type of their own.
 */
public final class DeviceType {
  /** A CPU, the device every machine has. */
  public static final DeviceType CPU = new DeviceType("cpu");
  /** A GPU of any vendor. */
  public static final DeviceType GPU = new DeviceType("gpu");

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");
  private final String name;

  private DeviceType(String name) {
    this.name = name;
  }

  /**
   * Returns the type with this name, case-insensitively.
   *
   * @param name lower-case letters, digits, {@code _} or {@code -}, starting with a letter
   * @throws IllegalArgumentException naming the value and the expected form
   */
  public static DeviceType of(String name) {
    Objects.requireNonNull(name, "name");
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals(CPU.name)) {
      return CPU;
    }
    if (lower.equals(GPU.name)) {
      return GPU;
    }
    if (!NAME.matcher(lower).matches()) {
      throw new IllegalArgumentException("Invalid device type '" + name
          + "': expected cpu, gpu or a custom name of letters, digits, '_' or '-'");
    }
    return new DeviceType(lower);
  }

  /** The type's name, lower case, e.g. {@code "cpu"}. */
  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceType t && t.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
