package dev.backplane.accelerate;

import dev.backplane.ops.Attrs;
import dev.backplane.ops.Node;
import java.util.Arrays;

/**
 * The spatial ops, as {@link GraphCompiler} sees them: {@code broadcast_to}, the convolutions
 * ({@link ConvKernels}) and the pooling ops ({@link PoolKernels}). The compiler asks
 * {@link #handles}, takes shape rules from {@link #rule} and {@link #concrete} and steps from
 * {@link #of}; everything else lives in those classes.
 */
final class SpatialStep {
  private SpatialStep() {}

  /** Whether {@code op} is one of the ops compiled here. */
  static boolean handles(String op) {
    switch (op) {
      case "broadcast_to":
      case "conv":
      case "conv_input_grad":
      case "conv_kernel_grad":
      case "max_pool":
      case "avg_pool":
      case "max_pool_grad":
      case "avg_pool_grad":
        return true;
      default:
        return false;
    }
  }

  /** The step of node {@code n}, an op {@link #handles} accepts. */
  static GraphCompiler.Step of(Node n) {
    switch (n.opName()) {
      case "broadcast_to":
        return new BroadcastTo(n);
      case "conv":
      case "conv_input_grad":
      case "conv_kernel_grad":
        return new ConvKernels.Conv(n);
      default:
        return new PoolKernels.Pool(n);
    }
  }

  /**
   * The shape rule of these ops: the node's static shape, each {@code -1} (the batch) taken from
   * the aligned axis of one input: {@code like} for {@code avg_pool_grad}, else input 0.
   */
  static void rule(Node n, GraphCompiler.Rule r) {
    if (handles(n.opName())) {
      r.a = n.shape();
      r.i = n.opName().equals("avg_pool_grad") ? 1 : 0;
    }
  }

  /** The concrete shape of a node of these ops; false for any other op. */
  static boolean concrete(Node n, GraphCompiler.Rule at, int[][] shapes, int[] out) {
    if (at.a == null || !handles(n.opName())) {
      return false;
    }
    int[] src = shapes[n.input(at.i).id()];
    int off = out.length - src.length;
    for (int i = 0; i < out.length; i++) {
      out[i] = at.a[i] >= 0 ? at.a[i] : src[i - off];
    }
    return true;
  }

  /** Static per-sample spatial sizes of a channels-last shape, refusing unknown ones. */
  static int[] spatial(Node n, int[] shape) {
    int[] s = Arrays.copyOfRange(shape, 1, shape.length - 1);
    for (int v : s) {
      if (v < 0) {
        throw new IllegalArgumentException(n.opName() + " in '" + n.layer() + "': the CPU"
            + " backend needs static spatial sizes, got " + Arrays.toString(shape));
      }
    }
    return s;
  }

  static int[] ints(Attrs a, String name, int count, int fallback) {
    if (a.has(name)) {
      return a.ints(name);
    }
    int[] v = new int[count];
    Arrays.fill(v, fallback);
    return v;
  }

  /**
   * The windows of a convolution or pooling over {@code d} spatial axes, as one table: for each
   * output cell and window cell (both row-major), the flat spatial index of the input cell it
   * reads, or -1 where that lies in the padding. Built once at compile; kernels then run one
   * loop over the table whatever {@code d} is.
   */
  static final class Window {
    final int inCount;
    final int outCount;
    final int cells;
    /** {@code outCount × cells}: input spatial index or -1. */
    final int[] cell;
    /** Per output cell: how many of its window cells are inside. */
    final int[] inside;

    Window(int[] in, int[] out, int[] window, int[] strides, int[] pads, int[] dilations) {
      int d = in.length;
      inCount = FlatKernels.size(in);
      outCount = FlatKernels.size(out);
      cells = FlatKernels.size(window);
      long total = (long) outCount * cells;
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("window table too large: " + total);
      }
      cell = new int[(int) total];
      inside = new int[outCount];
      int[] o = new int[d];
      int[] k = new int[d];
      for (int oi = 0; oi < outCount; oi++) {
        unravel(oi, out, o);
        for (int ki = 0; ki < cells; ki++) {
          unravel(ki, window, k);
          int idx = 0;
          for (int a = 0; a < d && idx >= 0; a++) {
            int p = o[a] * strides[a] - pads[2 * a] + k[a] * dilations[a];
            idx = p < 0 || p >= in[a] ? -1 : idx * in[a] + p;
          }
          cell[oi * cells + ki] = idx;
          if (idx >= 0) {
            inside[oi]++;
          }
        }
      }
    }

    private static void unravel(int i, int[] shape, int[] out) {
      for (int a = shape.length - 1; a >= 0; a--) {
        out[a] = i % shape[a];
        i /= shape[a];
      }
    }
  }

  /** {@code broadcast_to}: the flat broadcast kernel on staged copies. */
  static final class BroadcastTo extends GraphCompiler.Step {
    final int x;

    BroadcastTo(Node n) {
      super(n.id());
      this.x = n.input(0).id();
    }

    @Override
    int[] stagedInputs() {
      return new int[] {0};
    }

    @Override
    boolean stagesOutput() {
      return true;
    }

    @Override
    void run(Frame f) {
      float[] in = f.stageIn[id][0];
      FlatKernels.readFlat(f.buf[x], f.cols[x], f.size[x], in, f.slotScratch[0][0]);
      FlatKernels.broadcast(FlatKernels.COPY, f.stageOut[id], f.shape[id], in, f.shape[x], null,
          null, null, null, 0f, 0f, f.index);
      FlatKernels.writeFlat(f.buf[id], f.cols[id], f.size[id], f.stageOut[id], 0,
          f.slotScratch[0][0]);
    }
  }
}
