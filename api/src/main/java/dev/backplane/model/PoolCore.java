package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.Objects;

/** What the pooling layers share: checks, output shapes and the forward graph. */
final class PoolCore {
  private PoolCore() {}

  static void validate(String cls, Padding padding, DataFormat format) {
    Objects.requireNonNull(padding, "padding");
    Objects.requireNonNull(format, "dataFormat");
    if (padding == Padding.CAUSAL) {
      throw new IllegalArgumentException(cls + " padding must be valid or same, got causal");
    }
  }

  static Spatial geometry(String name, String cls, int rank, int[] pool, int[] strides,
      Padding padding, DataFormat format) {
    return new Spatial(name, cls, rank, pool, strides, Spatial.repeat(1, rank), padding, format);
  }

  static int[] outputShape(Spatial s, int[] in) {
    return s.shape(s.outSpatial(in, "pool_size"), s.channelsOf(in));
  }

  static Node call(LayerContext ctx, Spatial s, Node x, boolean max) {
    Ops ops = ctx.ops();
    Node h = s.toLast(ops, x);
    int[] spatial = java.util.Arrays.copyOfRange(h.shape(), 1, s.rank + 1);
    int[] pads = s.pads(spatial);
    Node y = max ? ops.maxPool(h, s.window, s.strides, pads)
        : ops.avgPool(h, s.window, s.strides, pads);
    return s.fromLast(ops, y);
  }
}
