package dev.backplane.accelerate;

/** A {@link Mat} on the Java heap as an array of row arrays: row access is free. */
final class HeapMat extends Mat {
  /** The rows, each {@link #cols} long. */
  final float[][] data;

  HeapMat(int rows, int cols) {
    super(rows, cols);
    this.data = new float[rows][cols];
  }

  @Override
  float[] row(int r, float[] scratch) {
    return data[r];
  }

  @Override
  float[] rowRange(int r, int from, int to, float[] scratch) {
    return data[r];
  }

  @Override
  float[] target(int r, float[] scratch) {
    return data[r];
  }

  @Override
  void commit(int r, float[] row) {
    if (row != data[r]) {
      System.arraycopy(row, 0, data[r], 0, cols);
    }
  }

  @Override
  int segments() {
    return rows;
  }

  @Override
  int segmentLength(int s) {
    return cols;
  }

  @Override
  float[] segment(int s, float[] scratch) {
    return data[s];
  }

  @Override
  void commitSegment(int s, float[] values) {
    commit(s, values);
  }

  @Override
  void readRows(int r0, int r1, float[] dst, int offset) {
    if (cols == 1) {
      for (int r = r0; r < r1; r++) {
        dst[offset + r - r0] = data[r][0];
      }
      return;
    }
    for (int r = r0; r < r1; r++) {
      System.arraycopy(data[r], 0, dst, offset + (r - r0) * cols, cols);
    }
  }

  @Override
  void writeRows(int r0, int r1, float[] src, int offset) {
    if (cols == 1) {
      for (int r = r0; r < r1; r++) {
        data[r][0] = src[offset + r - r0];
      }
      return;
    }
    for (int r = r0; r < r1; r++) {
      System.arraycopy(src, offset + (r - r0) * cols, data[r], 0, cols);
    }
  }

  @Override
  void read(int count, float[] dst, int offset) {
    for (int r = 0; r < count; r++) {
      System.arraycopy(data[r], 0, dst, offset + r * cols, cols);
    }
  }

  @Override
  void write(int count, float[] src, int offset) {
    for (int r = 0; r < count; r++) {
      System.arraycopy(src, offset + r * cols, data[r], 0, cols);
    }
  }
}
