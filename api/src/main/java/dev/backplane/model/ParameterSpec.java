package dev.backplane.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One weight of a layer: its short name ({@code kernel}, {@code bias}, {@code moving_mean}),
 * shape, the initializer that fills it from the model's seed, and whether the optimizer trains
 * it. Non-trainable weights (moving statistics) are state the layer updates itself.
 *
 * @param name short name within the layer, e.g. {@code "kernel"}
 * @param shape the parameter's shape; a Dense kernel is {@code (inputs, units)} as in Keras
 * @param initializer how the initial values are drawn
 * @param trainable whether the optimizer updates it
 */
public record ParameterSpec(String name, int[] shape, Initializer initializer,
    boolean trainable) {
  /** Validates and copies the shape. */
  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(initializer, "initializer");
    shape = shape.clone();
  }

  /** A trainable weight. */
  public ParameterSpec(String name, int[] shape, Initializer initializer) {
    this(name, shape, initializer, true);
  }

  /** Number of values. */
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape)
        && p.initializer == initializer && p.trainable == trainable;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), initializer, trainable);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + (trainable ? "" : " (non-trainable)");
  }
}
