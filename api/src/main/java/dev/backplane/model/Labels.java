package dev.backplane.model;

/** Reading labels of a batch the way Keras's metrics see them. */
final class Labels {
  private Labels() {}

  /**
   * Label value {@code j} of the row starting at {@code at}: the value itself for dense labels,
   * the one-hot of the class index for sparse ones.
   */
  static float value(float[] y, int at, int j, boolean sparse) {
    if (sparse) {
      return (int) y[at] == j ? 1f : 0f;
    }
    return y[at + j];
  }

  /** The arg-max of {@code n} values from {@code from} (first of ties), as an offset. */
  static int argmax(float[] a, int from, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (a[from + j] > a[from + best]) {
        best = j;
      }
    }
    return best;
  }

  /**
   * Keras's {@code _filter_top_k}: whether output {@code j} of the row is among its {@code k}
   * largest, ties going to the lower index (as {@code top_k}).
   */
  static boolean inTopK(float[] out, int from, int n, int j, int k) {
    float v = out[from + j];
    int before = 0;
    for (int i = 0; i < n; i++) {
      float u = out[from + i];
      if (u > v || u == v && i < j) {
        before++;
      }
    }
    return before < k;
  }
}
