package dev.backplane.data;

import dev.backplane.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * In-memory tensors as a {@link Dataset}: views, never copies. {@code fit} on an array dataset
 * runs exactly {@code fit(x(), y(), ...)}.
 */
public final class ArrayDataset implements Dataset {
  private final Tensor x;
  private final Tensor y;
  private final int xRow;
  private final int yRow;

  ArrayDataset(Tensor x, Tensor y) {
    Objects.requireNonNull(x, "x");
    if (x.rank() < 1) {
      throw new IllegalArgumentException("x needs a sample dimension, got shape "
          + Arrays.toString(x.shape()));
    }
    if (y != null && y.rank() == 1) {
      y = Tensor.wrap(y.toArray(), y.rows(), 1);
    }
    if (y != null && y.rows() != x.rows()) {
      throw new IllegalArgumentException("Data cardinality is ambiguous: x has " + x.rows()
          + " samples but y has " + y.rows() + "; make sure all arrays contain the same number"
          + " of samples");
    }
    this.x = x.rank() == 1 ? Tensor.wrap(x.toArray(), x.rows(), 1) : x;
    this.y = y;
    this.xRow = this.x.rowSize();
    this.yRow = y == null ? 0 : y.rowSize();
  }

  /** The inputs. */
  public Tensor x() {
    return x;
  }

  /** The labels, or {@code null}. */
  public Tensor y() {
    return y;
  }

  @Override
  public int size() {
    return x.rows();
  }

  @Override
  public int[] featureShape() {
    return Arrays.copyOfRange(x.shape(), 1, x.rank());
  }

  @Override
  public int labelSize() {
    return yRow;
  }

  @Override
  public void read(int row, float[] xOut, int xOffset, float[] yOut, int yOffset) {
    Objects.checkIndex(row, x.rows());
    System.arraycopy(x.data(), x.offset() + row * xRow, xOut, xOffset, xRow);
    if (yOut != null && y != null) {
      System.arraycopy(y.data(), y.offset() + row * yRow, yOut, yOffset, yRow);
    }
  }

  @Override
  public String toString() {
    return "ArrayDataset[x=" + x + ", y=" + y + "]";
  }
}
