package dev.backplane.accelerate;

/**
 * The flush of tiny optimizer-slot values to zero: a slot that decays geometrically (Adam's
 * {@code m} of a parameter without gradient) would otherwise pass through the subnormal range,
 * where every float operation costs a hundred times more on x86. Values below {@link #TINY}
 * (2^-100, far below anything that changes a float32 weight) become +0; every other value,
 * NaN and infinities included, stays exactly as it is.
 */
final class Flush {
  static final float TINY = 0x1p-100f;
  private static final float BELOW_TINY = Math.nextDown(TINY);
  private static final float HUGE = 0x1p127f;

  private Flush() {}

  /**
   * Sets values below {@link #TINY} in magnitude to (positive) zero and leaves the others.
   * Written without a branch, as a product with a 0-or-1 factor, so the JIT vectorizes it.
   */
  static void tiny(float[] x, int len) {
    for (int j = 0; j < len; j++) {
      float v = x[j];
      // |v| >= TINY: the difference from the float below TINY is a normal float, times 2^254 at
      // least 1, so the factor is 1; otherwise it is 0. Adding +0 turns -0 into +0.
      x[j] = v * Math.min(Math.max(Math.abs(v) - BELOW_TINY, 0f) * HUGE * HUGE, 1f) + 0f;
    }
  }

  /** {@link #tiny} of one value, the same formula. */
  static float one(float v) {
    return v * Math.min(Math.max(Math.abs(v) - BELOW_TINY, 0f) * HUGE * HUGE, 1f) + 0f;
  }
}
