package dev.backplane.model;

import java.util.Locale;

/**
 * Keras's {@code data_format}: where the channel axis of an image-like input lies. Layers compute
 * channels last; {@link #CHANNELS_FIRST} inputs are transposed before the op and back after it.
 */
public enum DataFormat {
  /** {@code (batch, spatial..., channels)}, Keras's default. */
  CHANNELS_LAST("channels_last"),
  /** {@code (batch, channels, spatial...)}. */
  CHANNELS_FIRST("channels_first");

  private final String kerasName;

  DataFormat(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Keras's name, e.g. {@code "channels_last"}. */
  public String kerasName() {
    return kerasName;
  }

  /**
   * Looks a data format up by Keras name, case-insensitively; {@code null} is channels last.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static DataFormat of(String name) {
    if (name == null) {
      return CHANNELS_LAST;
    }
    String key = name.trim().toLowerCase(Locale.ROOT);
    for (DataFormat f : values()) {
      if (f.kerasName.equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException("Unknown data_format '" + name
        + "'. Expected channels_last or channels_first");
  }
}
