package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.Arrays;

/**
 * Shared geometry of the convolution and pooling layers over {@code rank} spatial axes: argument
 * checks, output sizes by Keras's rules, explicit pads for the op set, and the transposes around
 * the op for {@code channels_first}. Every message names the layer, the argument and the shapes.
 */
final class Spatial {
  final String layer;
  final String cls;
  final int rank;
  final int[] window;
  final int[] strides;
  final int[] dilations;
  final Padding padding;
  final DataFormat format;

  Spatial(String layer, String cls, int rank, int[] window, int[] strides, int[] dilations,
      Padding padding, DataFormat format) {
    this.layer = layer;
    this.cls = cls;
    this.rank = rank;
    this.window = window;
    this.strides = strides;
    this.dilations = dilations;
    this.padding = padding;
    this.format = format;
  }

  /** {@code Layer 'name' (Class)}. */
  static String who(String layer, String cls) {
    return "Layer '" + layer + "' (" + cls + ")";
  }

  /** A copy of {@code v} checked to hold {@code rank} positive entries (one entry is repeated). */
  static int[] positive(String cls, String arg, int[] v, int rank) {
    if (v == null) {
      throw new IllegalArgumentException(cls + " " + arg + " is required");
    }
    int[] out = v.length == 1 && rank > 1 ? repeat(v[0], rank) : v.clone();
    if (out.length != rank) {
      throw new IllegalArgumentException(cls + " " + arg + " needs " + rank + " value(s), got "
          + Arrays.toString(v));
    }
    for (int d : out) {
      if (d < 1) {
        throw new IllegalArgumentException(cls + " " + arg + " must be positive integers, got "
            + Shapes.tuple(out));
      }
    }
    return out;
  }

  /** {@code rank} copies of {@code v}. */
  static int[] repeat(int v, int rank) {
    int[] a = new int[rank];
    Arrays.fill(a, v);
    return a;
  }

  private String who() {
    return who(layer, cls);
  }

  /** Checks the per-sample input rank: {@code rank} spatial axes plus channels. */
  void checkRank(int[] in) {
    if (in.length != rank + 1) {
      String axes = rank == 1 ? "steps" : rank == 2 ? "height, width" : "depth, height, width";
      String order = format == DataFormat.CHANNELS_LAST ? "(batch, " + axes + ", channels)"
          : "(batch, channels, " + axes + ")";
      throw new IllegalArgumentException(who() + " expects input of rank " + (rank + 2) + " "
          + order + " but got shape " + Shapes.withBatch(in));
    }
  }

  /** The spatial sizes of a per-sample input shape. */
  int[] spatialOf(int[] in) {
    checkRank(in);
    return format == DataFormat.CHANNELS_LAST ? Arrays.copyOfRange(in, 0, rank)
        : Arrays.copyOfRange(in, 1, rank + 1);
  }

  /** The channel count of a per-sample input shape. */
  int channelsOf(int[] in) {
    checkRank(in);
    return format == DataFormat.CHANNELS_LAST ? in[rank] : in[0];
  }

  /** Explicit (before, after) pads per spatial axis for this input. */
  int[] pads(int[] spatial) {
    switch (padding) {
      case SAME:
        return Ops.samePads(spatial, window, strides, dilations);
      case CAUSAL: {
        int[] p = new int[2 * rank];
        for (int i = 0; i < rank; i++) {
          p[2 * i] = dilations[i] * (window[i] - 1);
        }
        return p;
      }
      default:
        return new int[2 * rank];
    }
  }

  /**
   * Output spatial sizes: {@code ceil(in / stride)} for same, {@code (in + pads - span) / stride +
   * 1} otherwise, with {@code span = dilation (window - 1) + 1}.
   *
   * @throws IllegalArgumentException when the window does not fit the input under valid
   */
  int[] outSpatial(int[] in, String windowArg) {
    int[] spatial = spatialOf(in);
    int[] pads = pads(spatial);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int span = dilations[i] * (window[i] - 1) + 1;
      int padded = spatial[i] + pads[2 * i] + pads[2 * i + 1];
      if (padded < span) {
        int[] spans = new int[rank];
        for (int j = 0; j < rank; j++) {
          spans[j] = dilations[j] * (window[j] - 1) + 1;
        }
        throw new IllegalArgumentException(who() + " " + windowArg + " " + Shapes.tuple(window)
            + (Arrays.stream(dilations).anyMatch(d -> d > 1) ? " with dilation_rate "
                + Shapes.tuple(dilations) + " (span " + Shapes.tuple(spans) + ")" : "")
            + " is larger than the input's spatial shape " + Shapes.tuple(spatial)
            + " under padding='" + padding.kerasName() + "'; input shape " + Shapes.withBatch(in)
            + ". Use padding='same' or a smaller " + windowArg);
      }
      out[i] = (padded - span) / strides[i] + 1;
    }
    return out;
  }

  /** The per-sample shape from spatial sizes and a channel count, in this layer's format. */
  int[] shape(int[] spatial, int channels) {
    int[] out = new int[rank + 1];
    if (format == DataFormat.CHANNELS_LAST) {
      System.arraycopy(spatial, 0, out, 0, rank);
      out[rank] = channels;
    } else {
      out[0] = channels;
      System.arraycopy(spatial, 0, out, 1, rank);
    }
    return out;
  }

  /** {@code x} in channels-last order. */
  Node toLast(Ops ops, Node x) {
    return toLast(ops, x, format, rank);
  }

  /** {@code y} (channels last) back in this layer's format. */
  Node fromLast(Ops ops, Node y) {
    return fromLast(ops, y, format, rank);
  }

  static Node toLast(Ops ops, Node x, DataFormat format, int rank) {
    if (format == DataFormat.CHANNELS_LAST) {
      return x;
    }
    int[] perm = new int[rank + 2];
    for (int i = 0; i < rank; i++) {
      perm[i + 1] = i + 2;
    }
    perm[rank + 1] = 1;
    return ops.transpose(x, perm);
  }

  static Node fromLast(Ops ops, Node y, DataFormat format, int rank) {
    if (format == DataFormat.CHANNELS_LAST) {
      return y;
    }
    int[] perm = new int[rank + 2];
    perm[1] = rank + 1;
    for (int i = 0; i < rank; i++) {
      perm[i + 2] = i + 1;
    }
    return ops.transpose(y, perm);
  }
}
