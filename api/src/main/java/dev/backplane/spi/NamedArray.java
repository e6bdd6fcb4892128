package dev.backplane.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 host array with a shape: a parameter ({@code dense/kernel}) or an optimizer
 * slot ({@code dense/kernel/m}). The values are owned by this object; accessors do not copy, so
 * treat them as read-only unless you created the array.
 *
 * @param name unique within a {@link ModelState}
 * @param shape the shape, row-major
 * @param values {@code product(shape)} values
 */
public record NamedArray(String name, int[] shape, float[] values) {
  /** Validates that the values fit the shape. */
  public NamedArray {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    long size = 1;
    for (int d : shape) {
      size *= d;
    }
    if (size != values.length) {
      throw new IllegalArgumentException("Array '" + name + "' has shape " + Arrays.toString(shape)
          + " but " + values.length + " values");
    }
  }

  /** A deep copy. */
  public NamedArray copy() {
    return new NamedArray(name, shape.clone(), values.clone());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamedArray a && a.name.equals(name) && Arrays.equals(a.shape, shape)
        && Arrays.equals(a.values, values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(values));
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
