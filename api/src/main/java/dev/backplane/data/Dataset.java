package dev.backplane.data;

import dev.backplane.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;

/**
 * A source of samples for {@code fit}, {@code evaluate} and {@code predict}. Either
 * <em>row-addressable</em> ({@link #randomAccess()}: arrays, a memory-mapped NPY file), read one
 * sample at a time in any order, so that {@code fit} draws exactly the batches it draws from
 * in-memory tensors (same seeded shuffle, same rows); or a <em>stream</em> of batches
 * ({@link #ofBatches}), read in the order given, never shuffled, as Keras treats generators.
 *
 * <p>A dataset is read as training goes and must not change until the call that reads it
 * returns. Implementations need not be thread-safe: one call reads a dataset at a time.
 */
public interface Dataset {
  /** The number of samples, or {@code -1} for a stream whose length is unknown. */
  int size();

  /** The per-sample input shape, e.g. {@code {10}} or {@code {28, 28, 1}}. */
  int[] featureShape();

  /** Values per sample's label (1 for class indices or a scalar target); 0 when unlabelled. */
  int labelSize();

  /** Whether samples can be {@link #read} by index; {@code false} for a stream of batches. */
  default boolean randomAccess() {
    return true;
  }

  /**
   * Copies sample {@code row}: its {@code featureSize} input values into {@code x} at
   * {@code xOffset} and, when {@code y} is not {@code null}, its {@link #labelSize} label values
   * into {@code y} at {@code yOffset}.
   *
   * @throws UnsupportedOperationException for a stream
   */
  void read(int row, float[] x, int xOffset, float[] y, int yOffset);

  /**
   * One pass over a stream's batches (each call starts a new pass, one per epoch).
   *
   * @throws UnsupportedOperationException for a row-addressable dataset
   */
  default Iterator<Batch> batches() {
    throw new UnsupportedOperationException("a row-addressable dataset is read with read()");
  }

  /** Input values per sample. */
  default int featureSize() {
    int n = 1;
    for (int d : featureShape()) {
      n *= d;
    }
    return n;
  }

  /**
   * Samples {@code [from, to)} of a row-addressable dataset, as a view.
   *
   * @throws IllegalArgumentException for a range outside the dataset or a stream
   */
  default Dataset rows(int from, int to) {
    if (!randomAccess()) {
      throw new IllegalArgumentException("a stream of batches cannot be sliced");
    }
    if (from < 0 || to > size() || from > to) {
      throw new IllegalArgumentException("rows [" + from + ", " + to + ") are outside the "
          + size() + " samples of the dataset");
    }
    Dataset whole = this;
    return new Dataset() {
      @Override
      public int size() {
        return to - from;
      }

      @Override
      public int[] featureShape() {
        return whole.featureShape();
      }

      @Override
      public int labelSize() {
        return whole.labelSize();
      }

      @Override
      public void read(int row, float[] x, int xOffset, float[] y, int yOffset) {
        Objects.checkIndex(row, to - from);
        whole.read(from + row, x, xOffset, y, yOffset);
      }
    };
  }

  /**
   * In-memory tensors: {@code x} shaped {@code (n, featureShape...)}, {@code y} shaped
   * {@code (n, labelSize)} or {@code (n,)}, or {@code null} for inputs only. No copy:
   * {@code fit} on this dataset is {@code fit(x, y, ...)}.
   */
  static ArrayDataset of(Tensor x, Tensor y) {
    return new ArrayDataset(x, y);
  }

  /** Rows of inputs with one float target per row (binary labels, regression targets). */
  static ArrayDataset of(float[][] x, float[] y) {
    Objects.requireNonNull(y, "y");
    return new ArrayDataset(Tensor.of(x), Tensor.wrap(y.clone(), y.length, 1));
  }

  /** Rows of inputs with integer class indices (for sparse categorical losses). */
  static ArrayDataset of(float[][] x, int[] labels) {
    return new ArrayDataset(Tensor.of(x), Tensor.ofLabels(labels));
  }

  /** Rows of inputs with a label row per input row (one-hot, multi-output targets). */
  static ArrayDataset of(float[][] x, float[][] y) {
    return new ArrayDataset(Tensor.of(x), Tensor.of(y));
  }

  /**
   * A stream of batches from the user's code: {@code batches.iterator()} is called once per
   * epoch (or per {@code evaluate}/{@code predict}), and its batches are used in order, as
   * given. Every batch must have inputs of {@code featureShape} and, for training, labels of
   * {@code labelSize} values per row; batch sizes may differ.
   *
   * @param featureShape the per-sample input shape
   * @param labelSize label values per sample, 0 for inputs only
   */
  static Dataset ofBatches(Iterable<Batch> batches, int[] featureShape, int labelSize) {
    Objects.requireNonNull(batches, "batches");
    int[] shape = featureShape.clone();
    if (labelSize < 0) {
      throw new IllegalArgumentException("labelSize must be >= 0, got " + labelSize);
    }
    return new Dataset() {
      @Override
      public int size() {
        return -1;
      }

      @Override
      public int[] featureShape() {
        return shape.clone();
      }

      @Override
      public int labelSize() {
        return labelSize;
      }

      @Override
      public boolean randomAccess() {
        return false;
      }

      @Override
      public void read(int row, float[] x, int xOffset, float[] y, int yOffset) {
        throw new UnsupportedOperationException("a stream of batches is read with batches()");
      }

      @Override
      public Iterator<Batch> batches() {
        return Objects.requireNonNull(batches.iterator(), "batches.iterator()");
      }

      @Override
      public String toString() {
        return "stream of batches of " + Arrays.toString(shape);
      }
    };
  }
}
