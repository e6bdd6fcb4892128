package dev.backplane.io.data;

import dev.backplane.data.Dataset;
import java.util.Arrays;

/**
 * Inputs and (optionally) labels from memory-mapped NPY arrays: sample {@code i} is row
 * {@code i} of each. Labels of an integer dtype are class indices; a 1-D label array has one
 * label per sample.
 */
public final class NpyDataset implements Dataset {
  private final NpyArray x;
  private final NpyArray y;
  private final int[] featureShape;

  NpyDataset(NpyArray x, NpyArray y) {
    if (y != null && y.rows() != x.rows()) {
      throw new IllegalArgumentException("Data cardinality is ambiguous: " + x.file() + " has "
          + x.rows() + " samples but " + y.file() + " has " + y.rows() + "; make sure both"
          + " arrays contain the same number of samples");
    }
    this.x = x;
    this.y = y;
    int[] shape = x.shape();
    this.featureShape = shape.length == 1 ? new int[] {1}
        : Arrays.copyOfRange(shape, 1, shape.length);
  }

  /** The inputs. */
  public NpyArray x() {
    return x;
  }

  /** The labels, or {@code null}. */
  public NpyArray y() {
    return y;
  }

  @Override
  public int size() {
    return x.rows();
  }

  @Override
  public int[] featureShape() {
    return featureShape.clone();
  }

  @Override
  public int labelSize() {
    return y == null ? 0 : y.rowSize();
  }

  @Override
  public void read(int row, float[] xs, int xOffset, float[] ys, int yOffset) {
    x.readRow(row, xs, xOffset);
    if (ys != null && y != null) {
      y.readRow(row, ys, yOffset);
    }
  }

  @Override
  public String toString() {
    return "NPY dataset x=" + x + (y == null ? "" : ", y=" + y);
  }
}
