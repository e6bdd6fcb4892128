package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;

/** What the normalization layers share. */
final class Norms {
  private Norms() {}

  /** A batched-shape axis as an index into the per-sample shape, checked. */
  static int axis(String layer, String cls, int axis, int[] in) {
    int rank = in.length + 1;
    int a = axis < 0 ? axis + rank : axis;
    if (a < 1 || a >= rank) {
      throw new IllegalArgumentException(Spatial.who(layer, cls) + " axis " + axis
          + " is out of range for input shape " + Shapes.withBatch(in) + " (rank " + rank
          + "; the batch axis 0 cannot be normalized over)");
    }
    return a - 1;
  }

  /** A shape of {@code rank} ones with {@code dims} at the batched axes {@code axes}. */
  static int[] broadcastShape(int rank, int[] axes, int[] dims) {
    int[] s = new int[rank];
    java.util.Arrays.fill(s, 1);
    for (int i = 0; i < axes.length; i++) {
      s[axes[i]] = dims[i];
    }
    return s;
  }

  /** {@code gamma (x - mean) rsqrt(var + eps) + beta}, gamma and beta reshaped to broadcast. */
  static Node normalize(Ops ops, LayerContext ctx, Node x, Node mean, Node variance,
      double epsilon, boolean scale, boolean center, int[] bshape) {
    Node y = ops.mul(ops.sub(x, mean), ops.rsqrt(ops.add(variance, ops.scalar(epsilon))));
    if (scale) {
      y = ops.mul(y, ops.reshape(ctx.weight("gamma"), bshape));
    }
    if (center) {
      y = ops.add(y, ops.reshape(ctx.weight("beta"), bshape));
    }
    return y;
  }
}
