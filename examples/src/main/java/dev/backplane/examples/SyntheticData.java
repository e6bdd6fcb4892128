package dev.backplane.examples;

import dev.backplane.tensor.Tensor;
import java.util.SplittableRandom;

/** The examples' data: seeded, with a learnable rule, so each example's result is fixed. */
final class SyntheticData {
  private SyntheticData() {}

  /** {@code n} samples of {@code features} values in [-1, 1). */
  static float[][] features(int n, int features, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[n][features];
    for (float[] row : x) {
      for (int j = 0; j < features; j++) {
        row[j] = (float) r.nextDouble(-1, 1);
      }
    }
    return x;
  }

  /** 1 when the first two features sum above 0. */
  static int[] binaryLabels(float[][] x) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i][0] + x[i][1] > 0 ? 1 : 0;
    }
    return y;
  }

  /** Which of the first three features is largest. */
  static Tensor classLabels(float[][] x) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      int best = 0;
      for (int j = 1; j < 3; j++) {
        if (x[i][j] > x[i][best]) {
          best = j;
        }
      }
      y[i] = best;
    }
    return Tensor.ofLabels(y);
  }
}
