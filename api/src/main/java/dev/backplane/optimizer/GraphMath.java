package dev.backplane.optimizer;

import dev.backplane.ops.DType;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;

/**
 * Functions the neutral op set lacks (floor, ceil, cosine), composed from its ops so that
 * schedules run on every backend unchanged.
 */
final class GraphMath {
  /** Taylor coefficients of sin, θ¹ to θ¹⁵: on [-π/2, π/2] the remainder is below 1e-11. */
  private static final double[] SIN = {1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880,
      -1.0 / 39916800, 1.0 / 6227020800.0, -1.0 / 1307674368000.0};

  private GraphMath() {}

  /** {@code floor(x)} for {@code 0 <= x < 2^31}: a cast to int32 truncates toward zero. */
  static Node floor(Ops ops, Node x) {
    return ops.cast(ops.cast(x, DType.INT32), DType.FLOAT32);
  }

  /** {@code ceil(x)} for {@code 0 <= x < 2^31}. */
  static Node ceil(Ops ops, Node x) {
    Node f = floor(ops, x);
    return ops.add(f, ops.greater(x, f));
  }

  /**
   * {@code cos(π f)} for {@code f} in {@code [0, 1]} (clamped to it), as {@code -sin(θ)} with
   * {@code θ = π (f - 1/2)} in {@code [-π/2, π/2]}, by its Taylor polynomial to θ¹⁵ (Horner form):
   * within float32 rounding of the true value.
   */
  static Node cosPi(Ops ops, Node f) {
    Node theta = ops.mul(ops.sub(ops.clip(f, 0, 1), ops.scalar(0.5)), ops.scalar(Math.PI));
    Node s = ops.square(theta);
    Node p = ops.scalar(SIN[SIN.length - 1]);
    for (int i = SIN.length - 2; i >= 0; i--) {
      p = ops.add(ops.mul(p, s), ops.scalar(SIN[i]));
    }
    return ops.neg(ops.mul(theta, p));
  }
}
