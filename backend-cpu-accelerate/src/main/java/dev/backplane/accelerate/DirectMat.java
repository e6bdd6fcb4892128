package dev.backplane.accelerate;

import java.nio.FloatBuffer;

/**
 * A {@link Mat} in off-heap memory of a {@link NativeGemm}, stored densely row-major so the BLAS
 * reads and writes it in place. Java code copies a row in and out per access.
 */
final class DirectMat extends Mat {
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
  float[] target(int r, float[] scratch) {
    return scratch;
  }

  @Override
  void commit(int r, float[] row) {
    view.put(r * cols, row, 0, cols);
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
