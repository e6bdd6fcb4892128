package dev.backplane.accelerate;

/**
 * Keras's {@code Dropout}, inverted: in training each value is kept with probability
 * {@code 1 - rate} and scaled by {@code 1 / (1 - rate)}, else zeroed; otherwise the identity.
 *
 * <p>The mask is a pure function of (model seed, iteration, layer index, row, column) through a
 * counter-based hash ({@link #uniform}), so a run is reproducible to the bit on every engine and
 * thread count, and drawing it allocates nothing.
 */
final class DropoutOp extends Op {
  private final double rate;
  private final float scale;
  private final long seed;
  /** {@code uniform >= rate} is {@code bits >= threshold} on the 53 bits behind uniform. */
  private final long threshold;

  DropoutOp(int index, int layerIndex, String name, int size, double rate, long seed) {
    super(index, layerIndex, name, size, size);
    this.rate = rate;
    this.scale = (float) (1 / (1 - rate));
    this.seed = seed;
    this.threshold = (long) Math.ceil(rate * 0x1p53);
  }

  @Override
  boolean needsMask() {
    return true;
  }

  @Override
  void forward(Pass pass, Mat in, int n, boolean training, long iteration) {
    Mat out = pass.out[index];
    if (!training || rate == 0) {
      for (int r = 0; r < n; r++) {
        out.commit(r, in.row(r, pass.s0));
      }
      return;
    }
    long key = mix(mix(seed ^ 0x5DEECE66DL) + iteration) + layerIndex;
    key = mix(key);
    HeapMat mask = pass.mask[index];
    for (int r = 0; r < n; r++) {
      float[] m = mask.data[r];
      long base = (long) r * outSize;
      for (int j = 0; j < outSize; j++) {
        m[j] = scale * keep(key, base + j, threshold);
      }
      float[] x = in.row(r, pass.s0);
      float[] y = out.target(r, pass.s1);
      for (int j = 0; j < outSize; j++) {
        y[j] = x[j] * m[j];
      }
      out.commit(r, y);
    }
  }

  @Override
  void backward(Pass pass, Mat in, int n, boolean gradIsPreActivation, Mat dIn) {
    if (dIn == null) {
      return;
    }
    Mat g = pass.grad[index];
    HeapMat mask = pass.mask[index];
    boolean active = rate != 0;
    for (int r = 0; r < n; r++) {
      float[] gr = g.row(r, pass.s0);
      if (active) {
        float[] m = mask.data[r];
        for (int j = 0; j < outSize; j++) {
          gr[j] *= m[j];
        }
      }
      dIn.commit(r, gr);
    }
  }

  /**
   * 1 if element {@code i} of stream {@code key} is kept, else 0: {@code uniform(key, i) >= rate}
   * for {@code threshold = ceil(rate · 2^53)}, computed without a branch (a coin flip per element
   * mispredicts half the time).
   */
  static long keep(long key, long i, long threshold) {
    return 1 - (((mix(key + i * 0x9E3779B97F4A7C15L) >>> 11) - threshold) >>> 63);
  }

  /** A uniform double in {@code [0, 1)} for element {@code i} of the stream {@code key}. */
  static double uniform(long key, long i) {
    return (mix(key + i * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finalizer: a bijective 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
