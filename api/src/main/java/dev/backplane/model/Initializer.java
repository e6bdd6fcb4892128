package dev.backplane.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Weight initializers with Keras's names and formulas. Values are drawn in the api from a seeded
 * {@link SplittableRandom}, so the same seed gives the same initial weights on every backend and
 * every JVM.
 */
public enum Initializer {
  /** Uniform in {@code ±sqrt(6 / (fanIn + fanOut))}; Keras's default kernel initializer. */
  GLOROT_UNIFORM("glorot_uniform"),
  /** Uniform in {@code ±sqrt(6 / fanIn)}. */
  HE_UNIFORM("he_uniform"),
  /** Uniform in {@code ±sqrt(3 / fanIn)}. */
  LECUN_UNIFORM("lecun_uniform"),
  /** All zeros; Keras's default bias initializer. */
  ZEROS("zeros"),
  /** All ones. */
  ONES("ones");

  private final String kerasName;

  Initializer(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Keras's name, e.g. {@code "glorot_uniform"}. */
  public String kerasName() {
    return kerasName;
  }

  /**
   * Fills a parameter of this shape. For a 2-D shape {@code (fanIn, fanOut)} the fans are its
   * dimensions; for a vector both fans are its length, as in Keras.
   */
  public float[] initialize(int[] shape, SplittableRandom random) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    float[] values = new float[size];
    int fanIn = shape.length >= 2 ? size / shape[shape.length - 1] : size;
    int fanOut = shape.length >= 2 ? shape[shape.length - 1] : size;
    double limit;
    switch (this) {
      case ZEROS:
        return values;
      case ONES:
        Arrays.fill(values, 1f);
        return values;
      case GLOROT_UNIFORM:
        limit = Math.sqrt(6.0 / Math.max(1, fanIn + fanOut));
        break;
      case HE_UNIFORM:
        limit = Math.sqrt(6.0 / Math.max(1, fanIn));
        break;
      case LECUN_UNIFORM:
        limit = Math.sqrt(3.0 / Math.max(1, fanIn));
        break;
      default:
        throw new IllegalStateException("Unhandled initializer " + this);
    }
    for (int i = 0; i < size; i++) {
      values[i] = (float) (random.nextDouble(-limit, limit));
    }
    return values;
  }

  /**
   * Looks an initializer up by its Keras name.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Initializer of(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Initializer i : values()) {
      if (i.kerasName.equals(key)) {
        return i;
      }
    }
    throw new IllegalArgumentException("Unknown initializer '" + name + "'. Expected one of "
        + Arrays.stream(values()).map(Initializer::kerasName).collect(Collectors.joining(", ")));
  }
}
