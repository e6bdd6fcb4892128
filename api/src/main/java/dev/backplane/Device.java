package dev.backplane;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A device of a backend, named {@code backend:type:index}, e.g. {@code accelerate:cpu:0},
 * {@code tf-java:gpu:1}, {@code metal:gpu:0}. Immutable value object.
 */
public final class Device {
  private static final Pattern BACKEND_ID = Pattern.compile("[a-z][a-z0-9-]*");

  private final String backend;
  private final DeviceType type;
  private final int index;

  private Device(String backend, DeviceType type, int index) {
    this.backend = backend;
    this.type = type;
    this.index = index;
  }

  /**
   * @param backend the backend id, lower-case letters, digits and dashes
   * @param type the device type
   * @param index zero or more
   * @throws IllegalArgumentException for a malformed backend id or a negative index
   */
  public static Device of(String backend, DeviceType type, int index) {
    Objects.requireNonNull(type, "type");
    if (backend == null || !BACKEND_ID.matcher(backend).matches()) {
      throw new IllegalArgumentException("Invalid backend id '" + backend
          + "': expected lower-case letters, digits and '-', starting with a letter");
    }
    if (index < 0) {
      throw new IllegalArgumentException("Invalid device index " + index + ": expected 0 or more");
    }
    return new Device(backend, type, index);
  }

  /** Device {@code backend:cpu:index}. */
  public static Device cpu(String backend, int index) {
    return of(backend, DeviceType.CPU, index);
  }

  /** Device {@code backend:gpu:index}. */
  public static Device gpu(String backend, int index) {
    return of(backend, DeviceType.GPU, index);
  }

  /**
   * Parses a full device name {@code backend:type:index}. Short forms such as {@code cpu} are
   * resolved by placement, not here.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Device parse(String name) {
    Objects.requireNonNull(name, "name");
    String[] parts = name.trim().split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("Invalid device name '" + name
          + "': expected backend:type:index, e.g. accelerate:cpu:0");
    }
    int index;
    try {
      index = Integer.parseInt(parts[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid device name '" + name
          + "': the index '" + parts[2] + "' is not a number; expected e.g. accelerate:cpu:0", e);
    }
    return of(parts[0], DeviceType.of(parts[1]), index);
  }

  /** The backend id, e.g. {@code "accelerate"}. */
  public String backend() {
    return backend;
  }

  /** The device type. */
  public DeviceType type() {
    return type;
  }

  /** The index among devices of this backend and type. */
  public int index() {
    return index;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Device d
        && d.backend.equals(backend) && d.type.equals(type) && d.index == index;
  }

  @Override
  public int hashCode() {
    return Objects.hash(backend, type, index);
  }

  /** The full name, {@code backend:type:index}. */
  @Override
  public String toString() {
    return backend + ":" + type + ":" + index;
  }
}
