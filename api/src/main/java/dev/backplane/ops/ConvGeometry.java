package dev.backplane.ops;

import java.util.Arrays;

/**
 * The geometry shared by convolution and pooling over {@code d} spatial axes, channels last:
 * strides, dilations and explicit (before, after) padding per spatial axis. Layers turn Keras's
 * {@code valid}/{@code same}/{@code causal} into explicit pads with {@link #samePads}.
 */
final class ConvGeometry {
  final int[] strides;
  final int[] dilations;
  final int[] pads;

  ConvGeometry(Attrs attrs, int spatial) {
    strides = attrs.ints("strides");
    dilations = attrs.has("dilations") ? attrs.ints("dilations") : ones(spatial);
    pads = attrs.ints("pads");
  }

  static int[] ones(int n) {
    int[] a = new int[n];
    Arrays.fill(a, 1);
    return a;
  }

  void check(Op op, String layer, int spatial) {
    if (strides.length != spatial || dilations.length != spatial || pads.length != 2 * spatial) {
      throw op.fail(layer, "strides and dilations need " + spatial + " entries and pads "
          + 2 * spatial + ", got strides " + Arrays.toString(strides) + ", dilations "
          + Arrays.toString(dilations) + ", pads " + Arrays.toString(pads));
    }
    for (int i = 0; i < spatial; i++) {
      if (strides[i] < 1 || dilations[i] < 1 || pads[2 * i] < 0 || pads[2 * i + 1] < 0) {
        throw op.fail(layer, "strides and dilations must be >= 1 and pads >= 0, got strides "
            + Arrays.toString(strides) + ", dilations " + Arrays.toString(dilations) + ", pads "
            + Arrays.toString(pads));
      }
    }
  }

  /** Output size of spatial axis {@code i} for an input of size {@code in} and window {@code k}. */
  int out(int i, int in, int k) {
    int span = dilations[i] * (k - 1) + 1;
    int padded = in + pads[2 * i] + pads[2 * i + 1];
    return padded < span ? 0 : (padded - span) / strides[i] + 1;
  }

  /** TF's {@code same} padding: the extra cell goes after (bottom/right). */
  static int[] samePads(int[] in, int[] window, int[] strides, int[] dilations) {
    int[] pads = new int[2 * in.length];
    for (int i = 0; i < in.length; i++) {
      int out = (in[i] + strides[i] - 1) / strides[i];
      int span = dilations[i] * (window[i] - 1) + 1;
      int total = Math.max((out - 1) * strides[i] + span - in[i], 0);
      pads[2 * i] = total / 2;
      pads[2 * i + 1] = total - total / 2;
    }
    return pads;
  }
}
