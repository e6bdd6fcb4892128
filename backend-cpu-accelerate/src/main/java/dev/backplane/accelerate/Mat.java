package dev.backplane.accelerate;

/**
 * A row-major float matrix of a compiled model: parameters, gradients, activations. Kernels see
 * it one row at a time as a plain {@code float[]}, whether it lives on the heap ({@link HeapMat},
 * the row itself) or off-heap for a native BLAS ({@link DirectMat}, a copy in caller scratch that
 * {@link #commit} writes back). Rows are processed in a fixed order by fixed code on either
 * storage, so both give the same bits.
 */
abstract class Mat implements AutoCloseable {
  /** Rows allocated (the capacity; a batch may use fewer). */
  final int rows;
  /** Values per row. */
  final int cols;

  Mat(int rows, int cols) {
    this.rows = rows;
    this.cols = cols;
  }

  /** Row {@code r} to read: the row itself, or its values copied into {@code scratch}. */
  abstract float[] row(int r, float[] scratch);

  /**
   * Values {@code [from, to)} of row {@code r} to read: the row itself, or those values copied
   * into the same positions of {@code scratch}.
   */
  abstract float[] rowRange(int r, int from, int to, float[] scratch);

  /** Row {@code r} to overwrite completely: the row itself, or {@code scratch} (not read). */
  abstract float[] target(int r, float[] scratch);

  /** Stores a row obtained from {@link #row} or {@link #target} after changing it. */
  abstract void commit(int r, float[] row);

  /** Copies rows {@code [0, count)} out, row-major, to {@code dst} from {@code offset}. */
  abstract void read(int count, float[] dst, int offset);

  /** Copies rows {@code [0, count)} in, row-major, from {@code src} at {@code offset}. */
  abstract void write(int count, float[] src, int offset);

  /** Copies rows {@code [r0, r1)} out, row-major, to {@code dst} from {@code offset}. */
  abstract void readRows(int r0, int r1, float[] dst, int offset);

  /** Copies rows {@code [r0, r1)} in, row-major, from {@code src} at {@code offset}. */
  abstract void writeRows(int r0, int r1, float[] src, int offset);

  /**
   * Segments for whole-matrix element-wise work (the optimizer): rows on the heap, contiguous
   * chunks off-heap, where a narrow matrix would otherwise cost a copy per short row.
   */
  abstract int segments();

  /** Values in segment {@code s}. */
  abstract int segmentLength(int s);

  /** Segment {@code s} to read and change: itself, or copied into {@code scratch}. */
  abstract float[] segment(int s, float[] scratch);

  /** Stores a segment obtained from {@link #segment} after changing it. */
  abstract void commitSegment(int s, float[] values);

  /** Frees off-heap memory; idempotent. */
  @Override
  public void close() {}
}
