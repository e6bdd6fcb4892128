package dev.backplane.model;

import java.util.Locale;

/** Keras's {@code padding} argument of convolution and pooling layers. */
public enum Padding {
  /** No padding: windows lie wholly inside the input. */
  VALID("valid"),
  /** TF's {@code same}: the output has {@code ceil(in / stride)} cells; the extra pad goes after. */
  SAME("same"),
  /** {@code Conv1D} only: pads {@code dilation · (kernel - 1)} before, none after. */
  CAUSAL("causal");

  private final String kerasName;

  Padding(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Keras's name, e.g. {@code "same"}. */
  public String kerasName() {
    return kerasName;
  }

  /**
   * Looks a padding up by Keras name, case-insensitively.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Padding of(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Padding p : values()) {
      if (p.kerasName.equals(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException("Unknown padding '" + name
        + "'. Expected one of valid, same, causal");
  }
}
