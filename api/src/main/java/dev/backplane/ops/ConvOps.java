package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;

/**
 * N-d convolution, channels last, with groups, and its two gradient ops. All three are linear in
 * each input, so each one's gradient is one of the other two: that is the whole second-order
 * story, and why a backend that implements the three can train any convolutional model.
 *
 * <ul>
 *   <li>{@code conv(x, k)}: x {@code (N, S..., Cin)}, k {@code (K..., Cin/groups, Cout)}.
 *   <li>{@code conv_input_grad(dy, k; input_shape)}: the gradient for x (also the forward of a
 *       transposed convolution).
 *   <li>{@code conv_kernel_grad(x, dy; kernel_shape)}: the gradient for k.
 * </ul>
 */
final class ConvOps {
  private ConvOps() {}

  enum Mode { FORWARD, INPUT_GRAD, KERNEL_GRAD }

  static String attrsText() {
    return "strides, pads (before, after per spatial axis), dilations, groups";
  }

  /** The reference loop of all three: out[n, o, co] = Σ x[n, o·s - pb + kk·d, g·cpg + ci] k[kk, ci, co]. */
  static void loop(Mode mode, int[] xShape, double[] x, int[] kShape, double[] k, int[] yShape,
      double[] y, ConvGeometry geo, int groups) {
    int d = xShape.length - 2;
    int batch = xShape[0];
    int cin = xShape[d + 1];
    int cout = kShape[d + 1];
    int cpg = cin / groups;
    int opg = cout / groups;
    int[] xs = Dims.strides(xShape);
    int[] ks = Dims.strides(kShape);
    int[] ys = Dims.strides(yShape);
    int[] outSpatial = Arrays.copyOfRange(yShape, 1, d + 1);
    int[] kSpatial = Arrays.copyOfRange(kShape, 0, d);
    int outCount = (int) Dims.size(outSpatial);
    int kCount = (int) Dims.size(kSpatial);
    int[] o = new int[d];
    int[] kk = new int[d];
    for (int n = 0; n < batch; n++) {
      for (int oi = 0; oi < outCount; oi++) {
        Kernels.unravel(oi, outSpatial, o);
        int yBase = n * ys[0];
        for (int a = 0; a < d; a++) {
          yBase += o[a] * ys[a + 1];
        }
        for (int ki = 0; ki < kCount; ki++) {
          Kernels.unravel(ki, kSpatial, kk);
          int xBase = n * xs[0];
          int kBase = 0;
          boolean inside = true;
          for (int a = 0; a < d && inside; a++) {
            int p = o[a] * geo.strides[a] - geo.pads[2 * a] + kk[a] * geo.dilations[a];
            inside = p >= 0 && p < xShape[a + 1];
            xBase += p * xs[a + 1];
            kBase += kk[a] * ks[a];
          }
          if (!inside) {
            continue;
          }
          for (int co = 0; co < cout; co++) {
            int g = co / opg;
            for (int ci = 0; ci < cpg; ci++) {
              int xi = xBase + g * cpg + ci;
              int kIndex = kBase + ci * ks[d] + co;
              int yi = yBase + co;
              switch (mode) {
                case FORWARD -> y[yi] += x[xi] * k[kIndex];
                case INPUT_GRAD -> x[xi] += y[yi] * k[kIndex];
                default -> k[kIndex] += x[xi] * y[yi];
              }
            }
          }
        }
      }
    }
  }

  static int[] outShape(Op op, String layer, int[] xShape, int[] kShape, ConvGeometry geo,
      int groups) {
    int d = xShape.length - 2;
    if (d < 1 || kShape.length != d + 2) {
      throw op.fail(layer, "needs x (N, spatial..., channels) and a kernel (window...,"
          + " channels/groups, filters) of rank " + (d + 2) + ", got x " + Dims.text(xShape)
          + " and kernel " + Dims.text(kShape));
    }
    geo.check(op, layer, d);
    int cin = xShape[d + 1];
    if (groups < 1 || cin % groups != 0 || kShape[d + 1] % groups != 0
        || kShape[d] * groups != cin) {
      throw op.fail(layer, "input channels " + cin + ", groups " + groups + " and kernel "
          + Dims.text(kShape) + " do not fit: the kernel needs input channels / groups = "
          + (groups > 0 ? cin / groups : "?") + " on its axis " + d + " and filters divisible by"
          + " groups");
    }
    int[] out = new int[d + 2];
    out[0] = xShape[0];
    for (int i = 0; i < d; i++) {
      int size = xShape[i + 1];
      out[i + 1] = size < 0 ? -1 : geo.out(i, size, kShape[i]);
      if (out[i + 1] == 0) {
        throw op.fail(layer, "the window " + Dims.text(Arrays.copyOfRange(kShape, 0, d))
            + " (dilations " + Arrays.toString(geo.dilations) + ") is larger than the padded"
            + " input " + Dims.text(xShape) + " on spatial axis " + i);
      }
    }
    out[d + 1] = kShape[d + 1];
    return out;
  }

  /** {@code conv(x, k; strides, pads, dilations, groups)}. */
  static final class Conv extends Op {
    Conv() {
      super("conv");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("convolution", "conv(x, k; " + attrsText() + ")", "cross-correlation,"
          + " channels last: x (N, S..., Cin), k (K..., Cin/groups, Cout) -> (N, O..., Cout),"
          + " O = floor((S + pads - dilation·(K-1) - 1) / stride) + 1",
          "x: conv_input_grad(dy, k); k: conv_kernel_grad(x, dy)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      Node k = in.get(1);
      ConvGeometry geo = new ConvGeometry(attrs, Math.max(x.rank() - 2, 0));
      return Spec.f32(outShape(this, layer, x.rawShape(), k.rawShape(), geo, attrs.i("groups")));
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      RefTensor k = in.get(1);
      ConvGeometry geo = new ConvGeometry(attrs, x.shape().length - 2);
      int[] out = outShape(this, "", x.shape(), k.shape(), geo, attrs.i("groups"));
      double[] y = new double[(int) Dims.size(out)];
      loop(Mode.FORWARD, x.shape(), x.data(), k.shape(), k.data(), out, y, geo, attrs.i("groups"));
      return new RefTensor(out, y);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      Node x = node.input(0);
      Node k = node.input(1);
      return List.of(o.convInputGrad(dy, k, x, node.attrs()),
          o.convKernelGrad(x, dy, k.shape(), node.attrs()));
    }
  }

  /** {@code conv_input_grad(dy, k; input_shape, ...)}: x's gradient; shape (N, input_shape...). */
  static final class ConvInputGrad extends Op {
    ConvInputGrad() {
      super("conv_input_grad");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("convolution", "conv_input_grad(dy, k; input_shape, " + attrsText() + ")",
          "the gradient of conv for x: (N, input_shape...) from dy (N, O..., Cout); also the"
              + " forward of a transposed convolution",
          "dy: conv(g, k); k: conv_kernel_grad(g, dy)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node dy = in.get(0);
      Node k = in.get(1);
      int[] x = Dims.concat(new int[] {dy.dim(0)}, attrs.ints("input_shape"));
      ConvGeometry geo = new ConvGeometry(attrs, Math.max(x.length - 2, 0));
      int[] y = outShape(this, layer, x, k.rawShape(), geo, attrs.i("groups"));
      if (!Arrays.equals(Arrays.copyOfRange(y, 1, y.length),
          Arrays.copyOfRange(dy.rawShape(), 1, dy.rank()))) {
        throw fail(layer, "dy " + dy + " does not match the convolution output "
            + Dims.text(y) + " of input " + Dims.text(x));
      }
      return Spec.f32(x);
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor dy = in.get(0);
      RefTensor k = in.get(1);
      int[] xShape = Dims.concat(new int[] {dy.shape()[0]}, attrs.ints("input_shape"));
      ConvGeometry geo = new ConvGeometry(attrs, xShape.length - 2);
      double[] dx = new double[(int) Dims.size(xShape)];
      loop(Mode.INPUT_GRAD, xShape, dx, k.shape(), k.data(), dy.shape(), dy.data(), geo,
          attrs.i("groups"));
      return new RefTensor(xShape, dx);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node g) {
      Node dy = node.input(0);
      Node k = node.input(1);
      return List.of(o.conv(g, k, node.attrs()), o.convKernelGrad(g, dy, k.shape(),
          node.attrs()));
    }
  }

  /** {@code conv_kernel_grad(x, dy; kernel_shape, ...)}: k's gradient. */
  static final class ConvKernelGrad extends Op {
    ConvKernelGrad() {
      super("conv_kernel_grad");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("convolution", "conv_kernel_grad(x, dy; kernel_shape, " + attrsText()
          + ")", "the gradient of conv for k: kernel_shape, summed over the batch",
          "x: conv_input_grad(dy, g); dy: conv(x, g)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      Node dy = in.get(1);
      int[] k = attrs.ints("kernel_shape");
      ConvGeometry geo = new ConvGeometry(attrs, Math.max(x.rank() - 2, 0));
      int[] y = outShape(this, layer, x.rawShape(), k, geo, attrs.i("groups"));
      if (!Arrays.equals(Arrays.copyOfRange(y, 1, y.length),
          Arrays.copyOfRange(dy.rawShape(), 1, dy.rank()))) {
        throw fail(layer, "dy " + dy + " does not match the convolution output " + Dims.text(y));
      }
      return Spec.f32(k);
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      RefTensor dy = in.get(1);
      int[] kShape = attrs.ints("kernel_shape");
      ConvGeometry geo = new ConvGeometry(attrs, x.shape().length - 2);
      double[] dk = new double[(int) Dims.size(kShape)];
      loop(Mode.KERNEL_GRAD, x.shape(), x.data(), kShape, dk, dy.shape(), dy.data(), geo,
          attrs.i("groups"));
      return new RefTensor(kShape, dk);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node g) {
      Node x = node.input(0);
      Node dy = node.input(1);
      return List.of(o.convInputGrad(dy, g, x, node.attrs()), o.conv(x, g, node.attrs()));
    }
  }
}
