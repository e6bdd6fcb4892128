package dev.backplane.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float32 host tensor in row-major order. The first dimension is the sample (row)
 * dimension; the remaining ones form a row. A tensor may be a view on a larger array
 * ({@link #wrap}, {@link #rows(int, int)}): views share data and never copy.
 *
 * <p>Tensors are not synchronized; a tensor handed to Backplane must not be changed while a call
 * that reads it runs.
 */
public final class Tensor {
  private final float[] data;
  private final int offset;
  private final int[] shape;
  private final int size;

  private Tensor(float[] data, int offset, int[] shape) {
    this.shape = shape.clone();
    this.size = sizeOf(this.shape);
    if (offset < 0 || offset + size > data.length) {
      throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " at offset " + offset
          + " needs " + size + " values but the array has " + (data.length - offset));
    }
    this.data = data;
    this.offset = offset;
  }

  /** Copies a matrix of {@code rows × columns}; every row must have the same length. */
  public static Tensor of(float[][] rows) {
    Objects.requireNonNull(rows, "rows");
    int columns = rows.length == 0 ? 0 : rows[0].length;
    float[] data = new float[rows.length * columns];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != columns) {
        throw new IllegalArgumentException("Row " + i + " has " + rows[i].length
            + " values but row 0 has " + columns + "; every row must have the same length");
      }
      System.arraycopy(rows[i], 0, data, i * columns, columns);
    }
    return new Tensor(data, 0, new int[] {rows.length, columns});
  }

  /** Copies {@code values} into a tensor of the given shape. */
  public static Tensor of(float[] values, int... shape) {
    return new Tensor(values.clone(), 0, checkShape(values, shape));
  }

  /** A view on {@code values} with the given shape: no copy, later writes to the array show. */
  public static Tensor wrap(float[] values, int... shape) {
    return new Tensor(values, 0, checkShape(values, shape));
  }

  /** A column of integer labels, shape {@code (n, 1)}, as floats (how Keras feeds sparse labels). */
  public static Tensor ofLabels(int[] labels) {
    float[] data = new float[labels.length];
    for (int i = 0; i < labels.length; i++) {
      data[i] = labels[i];
    }
    return new Tensor(data, 0, new int[] {labels.length, 1});
  }

  /** A column of float labels, shape {@code (n, 1)}. */
  public static Tensor ofLabels(float[] labels) {
    return new Tensor(labels.clone(), 0, new int[] {labels.length, 1});
  }

  /** A zero-filled tensor. */
  public static Tensor zeros(int... shape) {
    return new Tensor(new float[sizeOf(shape)], 0, shape);
  }

  private static int[] checkShape(float[] values, int[] shape) {
    Objects.requireNonNull(values, "values");
    if (shape.length == 0) {
      throw new IllegalArgumentException("A tensor needs at least one dimension");
    }
    if (sizeOf(shape) != values.length) {
      throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " needs "
          + sizeOf(shape) + " values but " + values.length + " were given");
    }
    return shape;
  }

  private static int sizeOf(int[] shape) {
    long size = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("Negative dimension in shape " + Arrays.toString(shape));
      }
      size *= d;
    }
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " is too large");
    }
    return (int) size;
  }

  /** The shape; a fresh copy. */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code i}. */
  public int dim(int i) {
    return shape[i];
  }

  /** Number of rows (samples): the first dimension. */
  public int rows() {
    return shape[0];
  }

  /** Values per row: the product of all dimensions but the first (1 for a vector). */
  public int rowSize() {
    return shape[0] == 0 ? sizeOf(Arrays.copyOfRange(shape, 1, shape.length)) : size / shape[0];
  }

  /** Total number of values. */
  public int size() {
    return size;
  }

  /** The backing array; values start at {@link #offset()}. Backends read it without copying. */
  public float[] data() {
    return data;
  }

  /** Index of the first value in {@link #data()}. */
  public int offset() {
    return offset;
  }

  /** The value at flat index {@code i} of this tensor. */
  public float get(int i) {
    return data[offset + i];
  }

  /** The value at row {@code row}, column {@code column} of a rank-2 tensor. */
  public float get(int row, int column) {
    return data[offset + row * rowSize() + column];
  }

  /** A view on rows {@code [from, to)}; no copy. */
  public Tensor rows(int from, int to) {
    if (from < 0 || to > rows() || from > to) {
      throw new IndexOutOfBoundsException("Rows [" + from + ", " + to + ") of a tensor with "
          + rows() + " rows");
    }
    int[] s = shape.clone();
    s[0] = to - from;
    return new Tensor(data, offset + from * rowSize(), s);
  }

  /** A copy of the values in a fresh array. */
  public float[] toArray() {
    return Arrays.copyOfRange(data, offset, offset + size);
  }

  /** A copy as a matrix {@code rows × rowSize}. */
  public float[][] toMatrix() {
    float[][] m = new float[rows()][rowSize()];
    for (int i = 0; i < m.length; i++) {
      System.arraycopy(data, offset + i * rowSize(), m[i], 0, rowSize());
    }
    return m;
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
