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
   * {@code c[j] += sum_p a[p] · b[p][j]} for {@code p0 <= p < p1} and {@code from <= j < to}: one
   * row (or, with a part of {@code p}, one cache block of a row) of a matrix product. The non-zero {@code a[p]} are gathered first (into {@code av}, their rows
   * of {@code b} into {@code bv}, both at least {@code p1 - p0} long), so the zeros that ReLU layers and
   * their gradients are full of cost nothing; then four rows of {@code b} go per pass, so each
   * load and store of {@code c} serves four multiply-adds. An exact zero in {@code a} contributes
   * nothing even where {@code b} is not finite (as in a sparse kernel); the summation order is
   * fixed, so results are reproducible.
   */
  static void multiplyAdd(float[] a, int p0, int p1, float[][] b, float[] c, int from, int to,
      float[] av, float[][] bv) {
    int q = 0;
    for (int p = p0; p < p1; p++) {
      float x = a[p];
      if (x != 0f) {
        av[q] = x;
        bv[q] = b[p];
        q++;
      }
    }
    int s = 0;
    for (; s + 3 < q; s += 4) {
      float a0 = av[s];
      float a1 = av[s + 1];
      float a2 = av[s + 2];
      float a3 = av[s + 3];
      float[] b0 = bv[s];
      float[] b1 = bv[s + 1];
      float[] b2 = bv[s + 2];
      float[] b3 = bv[s + 3];
      for (int j = from; j < to; j++) {
        c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
      }
    }
    for (; s < q; s++) {
      float x = av[s];
      float[] bs = bv[s];
      for (int j = from; j < to; j++) {
        c[j] += x * bs[j];
      }
    }
  }

  /** {@code sum_p a[p] · b[p]} for {@code p < k}, four partial sums, added in a fixed order. */
  static float dot(float[] a, float[] b, int k) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int p = 0;
    for (; p + 3 < k; p += 4) {
      s0 += a[p] * b[p];
      s1 += a[p + 1] * b[p + 1];
      s2 += a[p + 2] * b[p + 2];
      s3 += a[p + 3] * b[p + 3];
    }
    for (; p < k; p++) {
      s0 += a[p] * b[p];
    }
    return (s0 + s1) + (s2 + s3);
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
