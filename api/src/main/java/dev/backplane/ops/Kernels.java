package dev.backplane.ops;

/** Index arithmetic shared by the float64 reference kernels. */
final class Kernels {
  private Kernels() {}

  /** {@code t} materialised at a broadcast shape. */
  static RefTensor broadcast(RefTensor t, int[] shape) {
    if (java.util.Arrays.equals(t.shape(), shape)) {
      return t;
    }
    int[] st = Dims.broadcastStrides(t.shape(), shape);
    double[] out = new double[(int) Dims.size(shape)];
    int[] index = new int[shape.length];
    int src = 0;
    for (int i = 0; i < out.length; i++) {
      out[i] = t.data()[src];
      for (int k = shape.length - 1; k >= 0; k--) {
        index[k]++;
        src += st[k];
        if (index[k] < shape[k]) {
          break;
        }
        src -= st[k] * shape[k];
        index[k] = 0;
      }
    }
    return new RefTensor(shape, out);
  }

  /** The multi-index of flat position {@code flat}. */
  static void unravel(int flat, int[] shape, int[] index) {
    for (int k = shape.length - 1; k >= 0; k--) {
      index[k] = flat % shape[k];
      flat /= shape[k];
    }
  }
}
