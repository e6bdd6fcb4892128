package dev.backplane.accelerate;

import java.nio.FloatBuffer;

/**
 * A {@link Mat} in off-heap memory of a {@link NativeGemm}, stored densely row-major so the BLAS
 * reads and writes it in place. Java code copies a row in and out per access.
 */
final class DirectMat extends Mat {
  /** Floats per segment of {@link #segment}. */
  static final int SEGMENT = 4096;

  /** The memory, {@code rows × cols} floats. */
  final NativeBuffer buffer;
  private final FloatBuffer view;

  DirectMat(NativeGemm gemm, int rows, int cols) {
    super(rows, cols);
    this.buffer = gemm.allocate(Math.max(1L, (long) rows * cols));
    this.view = buffer.floats();
  }

  @Override
  float[] row(int r, float[] scratch) {
    view.get(r * cols, scratch, 0, cols);
    return scratch;
  }

  @Override
  float[] rowRange(int r, int from, int to, float[] scratch) {
    view.get(r * cols + from, scratch, from, to - from);
    return scratch;
  }

  @Override
  float[] target(int r, float[] scratch) {
    return scratch;
  }

  @Override
  void commit(int r, float[] row) {
    view.put(r * cols, row, 0, cols);
  }

  @Override
  int segments() {
    return (int) (((long) rows * cols + SEGMENT - 1) / SEGMENT);
  }

  @Override
  int segmentLength(int s) {
    return (int) Math.min(SEGMENT, (long) rows * cols - (long) s * SEGMENT);
  }

  @Override
  float[] segment(int s, float[] scratch) {
    view.get(s * SEGMENT, scratch, 0, segmentLength(s));
    return scratch;
  }

  @Override
  void commitSegment(int s, float[] values) {
    view.put(s * SEGMENT, values, 0, segmentLength(s));
  }

  @Override
  void readRows(int r0, int r1, float[] dst, int offset) {
    view.get(r0 * cols, dst, offset, (r1 - r0) * cols);
  }

  @Override
  void writeRows(int r0, int r1, float[] src, int offset) {
    view.put(r0 * cols, src, offset, (r1 - r0) * cols);
  }

  @Override
  void read(int count, float[] dst, int offset) {
    view.get(0, dst, offset, count * cols);
  }

  @Override
  void write(int count, float[] src, int offset) {
    view.put(0, src, offset, count * cols);
  }

  @Override
  public void close() {
    buffer.close();
  }
}
