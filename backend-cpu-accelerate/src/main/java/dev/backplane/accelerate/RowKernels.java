package dev.backplane.accelerate;

/**
 * The inner loops of the pure-Java kernels, on matrices held as arrays of row arrays.
 *
 * <p>Why rows: HotSpot C2 (JDK 17) vectorizes a loop only when every array in it is indexed by
 * the same expression. {@code c[j] += a * b[j]} over two row arrays vectorizes (AVX2/AVX-512);
 * {@code c[ci + j] += a * b[bi + j]} over flat arrays with different row offsets does not, and
 * runs several times slower. Every loop here therefore indexes all its arrays with the loop
 * variable alone.
 */
final class RowKernels {
  private static final int TILE = 16;

  private RowKernels() {}

  /**
   * {@code c[j] += sum_p a[p] · b[p][j]} for {@code p < k} and {@code from <= j < to}: one row of
   * a matrix product, four rows of {@code b} per pass so each load and store of {@code c} serves
   * four multiply-adds. The summation order is fixed, so results are reproducible.
   */
  static void multiplyAdd(float[] a, int k, float[][] b, float[] c, int from, int to) {
    int p = 0;
    for (; p + 3 < k; p += 4) {
      float a0 = a[p];
      float a1 = a[p + 1];
      float a2 = a[p + 2];
      float a3 = a[p + 3];
      float[] b0 = b[p];
      float[] b1 = b[p + 1];
      float[] b2 = b[p + 2];
      float[] b3 = b[p + 3];
      for (int j = from; j < to; j++) {
        c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
      }
    }
    for (; p < k; p++) {
      float av = a[p];
      float[] bp = b[p];
      for (int j = from; j < to; j++) {
        c[j] += av * bp[j];
      }
    }
  }

  /**
   * Writes the transpose of {@code src} rows {@code [0, rows)} × columns {@code [0, cols)} into
   * {@code dst}, producing only destination rows {@code [from, to)} (source columns), in tiles so
   * both sides stay in cache.
   */
  static void transpose(float[][] src, int rows, float[][] dst, int from, int to) {
    for (int c0 = from; c0 < to; c0 += TILE) {
      int c1 = Math.min(to, c0 + TILE);
      for (int r0 = 0; r0 < rows; r0 += TILE) {
        int r1 = Math.min(rows, r0 + TILE);
        for (int r = r0; r < r1; r++) {
          float[] s = src[r];
          for (int c = c0; c < c1; c++) {
            dst[c][r] = s[c];
          }
        }
      }
    }
  }
}
