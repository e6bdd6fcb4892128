package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;

/**
 * Max and average pooling over {@code d} spatial axes, channels last, with their gradient ops.
 * Padded cells never count: they are -∞ for max and left out of the divisor for average (Keras
 * and TF semantics). Max pooling's gradient goes to the first maximum of each window.
 */
final class PoolOps {
  private PoolOps() {}

  static String attrsText() {
    return "window, strides, pads (before, after per spatial axis)";
  }

  /** Calls {@code visit(yIndex, xIndex)} for every (output cell, input cell) of every window. */
  interface Visitor {
    void visit(int y, int x, int channel);
  }

  static void windows(int[] xShape, int[] window, ConvGeometry geo, int[] yShape, Visitor v,
      Runnable[] perWindow) {
    int d = xShape.length - 2;
    int c = xShape[d + 1];
    int[] xs = Dims.strides(xShape);
    int[] ys = Dims.strides(yShape);
    int[] outSpatial = Arrays.copyOfRange(yShape, 1, d + 1);
    int outCount = (int) Dims.size(outSpatial);
    int wCount = (int) Dims.size(window);
    int[] o = new int[d];
    int[] w = new int[d];
    for (int n = 0; n < xShape[0]; n++) {
      for (int oi = 0; oi < outCount; oi++) {
        Kernels.unravel(oi, outSpatial, o);
        int yBase = n * ys[0];
        for (int a = 0; a < d; a++) {
          yBase += o[a] * ys[a + 1];
        }
        for (int ch = 0; ch < c; ch++) {
          if (perWindow != null) {
            perWindow[0].run();
          }
          for (int wi = 0; wi < wCount; wi++) {
            Kernels.unravel(wi, window, w);
            int xBase = n * xs[0];
            boolean inside = true;
            for (int a = 0; a < d && inside; a++) {
              int p = o[a] * geo.strides[a] - geo.pads[2 * a] + w[a];
              inside = p >= 0 && p < xShape[a + 1];
              xBase += p * xs[a + 1];
            }
            if (inside) {
              v.visit(yBase + ch, xBase + ch, ch);
            }
          }
          if (perWindow != null) {
            perWindow[1].run();
          }
        }
      }
    }
  }

  static int[] outShape(Op op, String layer, int[] x, Attrs attrs) {
    int d = x.length - 2;
    if (d < 1) {
      throw op.fail(layer, "needs x (N, spatial..., channels), got " + Dims.text(x));
    }
    int[] window = attrs.ints("window");
    ConvGeometry geo = new ConvGeometry(attrs, d);
    geo.check(op, layer, d);
    if (window.length != d) {
      throw op.fail(layer, "window needs " + d + " entries, got " + Arrays.toString(window));
    }
    int[] out = x.clone();
    for (int i = 0; i < d; i++) {
      if (window[i] < 1) {
        throw op.fail(layer, "window sizes must be >= 1, got " + Arrays.toString(window));
      }
      out[i + 1] = x[i + 1] < 0 ? -1 : geo.out(i, x[i + 1], window[i]);
      if (out[i + 1] == 0) {
        throw op.fail(layer, "the window " + Arrays.toString(window) + " is larger than the"
            + " padded input " + Dims.text(x) + " on spatial axis " + i);
      }
    }
    return out;
  }

  /** {@code max_pool(x; window, strides, pads)} and {@code avg_pool(...)}. */
  static final class Pool extends Op {
    private final boolean max;

    Pool(boolean max) {
      super(max ? "max_pool" : "avg_pool");
      this.max = max;
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("pooling", name() + "(x; " + attrsText() + ")", (max ? "maximum"
          : "mean") + " of each window per channel, channels last; padded cells ignored",
          max ? "max_pool_grad(x, dy): dy to the first maximum of each window"
              : "avg_pool_grad(dy): dy / cell count spread over each window");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      return Spec.f32(outShape(this, layer, in.get(0).rawShape(), attrs));
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      int[] yShape = outShape(this, "", x.shape(), attrs);
      double[] y = new double[(int) Dims.size(yShape)];
      int[] count = new int[y.length];
      Arrays.fill(y, max ? Double.NEGATIVE_INFINITY : 0);
      windows(x.shape(), attrs.ints("window"), new ConvGeometry(attrs, x.shape().length - 2),
          yShape, (yi, xi, c) -> {
            y[yi] = max ? Math.max(y[yi], x.data()[xi]) : y[yi] + x.data()[xi];
            count[yi]++;
          }, null);
      if (!max) {
        for (int i = 0; i < y.length; i++) {
          y[i] /= count[i];
        }
      }
      return new RefTensor(yShape, y);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      Node x = node.input(0);
      return List.of(max ? o.maxPoolGrad(x, dy, node.attrs()) : o.avgPoolGrad(dy, x,
          node.attrs()));
    }
  }

  /** {@code max_pool_grad(x, dy; ...)}: dy routed to the first maximum of each window. */
  static final class MaxPoolGrad extends Op {
    MaxPoolGrad() {
      super("max_pool_grad");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("pooling", "max_pool_grad(x, dy; " + attrsText() + ")",
          "shape of x: each window's dy added at the window's first maximum of x",
          "none (second derivatives through max pooling are not provided)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      outShape(this, layer, in.get(0).rawShape(), attrs);
      return Spec.f32(in.get(0).rawShape());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      RefTensor dy = in.get(1);
      double[] dx = new double[x.size()];
      double[] best = {Double.NEGATIVE_INFINITY};
      int[] at = {-1};
      int[] yAt = {-1};
      Runnable start = () -> {
        best[0] = Double.NEGATIVE_INFINITY;
        at[0] = -1;
      };
      Runnable end = () -> {
        if (at[0] >= 0) {
          dx[at[0]] += dy.data()[yAt[0]];
        }
      };
      windows(x.shape(), attrs.ints("window"), new ConvGeometry(attrs, x.shape().length - 2),
          dy.shape(), (yi, xi, c) -> {
            yAt[0] = yi;
            if (x.data()[xi] > best[0]) {
              best[0] = x.data()[xi];
              at[0] = xi;
            }
          }, new Runnable[] {start, end});
      return new RefTensor(x.shape(), dx);
    }

    @Override
    public boolean differentiable() {
      return false;
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      return Arrays.asList(null, null);
    }
  }

  /** {@code avg_pool_grad(dy, like; ...)}: shape of like (the pooled input). */
  static final class AvgPoolGrad extends Op {
    AvgPoolGrad() {
      super("avg_pool_grad");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("pooling", "avg_pool_grad(dy, like; " + attrsText() + ")",
          "shape of like (the pooled input): each window's dy / its cell count added to its"
              + " cells; like's values are not read", "dy: avg_pool(g); like: none");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      outShape(this, layer, in.get(1).rawShape(), attrs);
      return Spec.f32(in.get(1).rawShape());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor dy = in.get(0);
      int[] xShape = in.get(1).shape();
      ConvGeometry geo = new ConvGeometry(attrs, xShape.length - 2);
      int[] count = new int[dy.size()];
      windows(xShape, attrs.ints("window"), geo, dy.shape(), (yi, xi, c) -> count[yi]++, null);
      double[] dx = new double[(int) Dims.size(xShape)];
      windows(xShape, attrs.ints("window"), geo, dy.shape(),
          (yi, xi, c) -> dx[xi] += dy.data()[yi] / count[yi], null);
      return new RefTensor(xShape, dx);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node g) {
      return Arrays.asList(o.graph().add(OpSet.AVG_POOL, List.of(g), node.attrs()), null);
    }
  }
}
