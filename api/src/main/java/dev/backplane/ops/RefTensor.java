package dev.backplane.ops;

import java.util.Arrays;

/**
 * A concrete float64 array with a static shape: the values of the reference interpreter. Int32
 * tensors are held as exact doubles.
 *
 * @param shape the shape, all dimensions known
 * @param data {@code product(shape)} values, row-major
 */
public record RefTensor(int[] shape, double[] data) {
  /** Validates the size. */
  public RefTensor {
    if (Dims.size(shape) != data.length) {
      throw new IllegalArgumentException("Shape " + Dims.text(shape) + " needs "
          + Dims.size(shape) + " values, got " + data.length);
    }
  }

  /** A scalar. */
  public static RefTensor scalar(double v) {
    return new RefTensor(new int[0], new double[] {v});
  }

  /** From float32 values. */
  public static RefTensor of(float[] values, int... shape) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return new RefTensor(shape.clone(), d);
  }

  /** The values rounded to float32. */
  public float[] toFloats() {
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return f;
  }

  /** Number of values. */
  public int size() {
    return data.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RefTensor t && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "RefTensor" + Dims.text(shape);
  }
}
