package dev.backplane.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One training sample as a Spark row: the flattened features (row-major, the model's input
 * shape) and the label values (one class index for sparse losses, else one value per output).
 *
 * @param features never {@code null}
 * @param label never {@code null}
 */
public record Example(float[] features, float[] label) implements Serializable {
  /** Validates the components. */
  public Example {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(label, "label");
  }

  /** A sample with one label value (a class index or a binary target). */
  public static Example of(float[] features, float label) {
    return new Example(features, new float[] {label});
  }
}
