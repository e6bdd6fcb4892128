package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What Conv1D, Conv2D and Conv3D share: checks, weights and the forward graph. */
final class ConvCore {
  private ConvCore() {}

  /** Validates a conv layer's configuration (before a name is known). */
  static void validate(String cls, int rank, int filters, int[] kernel, int[] strides,
      int[] dilations, int groups, Padding padding, Object... required) {
    if (filters < 1) {
      throw new IllegalArgumentException(cls + " filters must be at least 1, got " + filters);
    }
    if (groups < 1 || filters % groups != 0) {
      throw new IllegalArgumentException(cls + " groups must be a positive divisor of filters ("
          + filters + "), got " + groups);
    }
    Objects.requireNonNull(padding, "padding");
    if (padding == Padding.CAUSAL && rank != 1) {
      throw new IllegalArgumentException(cls + " does not support padding='causal'; only Conv1D"
          + " does");
    }
    for (Object o : required) {
      Objects.requireNonNull(o, cls + " argument");
    }
  }

  static Spatial geometry(String name, String cls, int rank, int[] kernel, int[] strides,
      int[] dilations, Padding padding, DataFormat format) {
    return new Spatial(name, cls, rank, kernel, strides, dilations, padding, format);
  }

  /** Output shape; checks the channel count fits the groups. */
  static int[] outputShape(Spatial s, int[] in, int filters, int groups) {
    int channels = s.channelsOf(in);
    if (channels % groups != 0) {
      throw new IllegalArgumentException(Spatial.who(s.layer, s.cls) + " has groups=" + groups
          + " but its input has " + channels + " channels, not a multiple of groups; input shape "
          + Shapes.withBatch(in));
    }
    return s.shape(s.outSpatial(in, "kernel_size"), filters);
  }

  static List<ParameterSpec> parameters(Spatial s, int[] in, int filters, int groups,
      boolean useBias, Initializer kernel, Initializer bias) {
    outputShape(s, in, filters, groups);
    int[] shape = new int[s.rank + 2];
    System.arraycopy(s.window, 0, shape, 0, s.rank);
    shape[s.rank] = s.channelsOf(in) / groups;
    shape[s.rank + 1] = filters;
    List<ParameterSpec> p = new ArrayList<>(2);
    p.add(new ParameterSpec("kernel", shape, kernel));
    if (useBias) {
      p.add(new ParameterSpec("bias", new int[] {filters}, bias));
    }
    return p;
  }

  /** {@code activation(conv(x, kernel) + bias)}, transposing around the op for channels_first. */
  static Node call(LayerContext ctx, Spatial s, Node x, int groups, boolean useBias,
      Activation activation) {
    Ops ops = ctx.ops();
    Node h = s.toLast(ops, x);
    int[] shape = h.shape();
    int[] spatial = java.util.Arrays.copyOfRange(shape, 1, s.rank + 1);
    Node y = ops.conv(h, ctx.weight("kernel"), s.strides, s.pads(spatial), s.dilations, groups);
    if (useBias) {
      y = ops.add(y, ctx.weight("bias"));
    }
    return s.fromLast(ops, activation.build(ops, y));
  }
}
