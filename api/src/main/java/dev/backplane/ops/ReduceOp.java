package dev.backplane.ops;

import java.util.List;

/** {@code sum}, {@code mean} and {@code max} over axes, with or without {@code keepdims}. */
final class ReduceOp extends Op {
  enum Kind { SUM, MEAN, MAX }

  private final Kind kind;

  ReduceOp(Kind kind) {
    super(kind.name().toLowerCase(java.util.Locale.ROOT));
    this.kind = kind;
  }

  @Override
  public OpDoc doc() {
    String grad = switch (kind) {
      case SUM -> "broadcast_like(reshape(dy, keepdims shape), x)";
      case MEAN -> "broadcast_like(reshape(dy, keepdims shape), x) / numel(x; axes)";
      case MAX -> "dy broadcast to x, times equal(x, y), divided by the count of ties";
    };
    return new OpDoc("reduction", name() + "(x; axes, keepdims)", name() + " of x over axes"
        + " (negative axes count from the end); reduced axes dropped, or kept as 1 with keepdims",
        grad);
  }

  static int[] axes(int[] axes, int rank, Op op, String layer) {
    boolean[] seen = new boolean[rank];
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      int a = Dims.axis(axes[i], rank);
      if (a < 0 || seen[a]) {
        throw op.fail(layer, "axis " + axes[i] + " is out of range or repeated for rank " + rank);
      }
      seen[a] = true;
      out[i] = a;
    }
    return out;
  }

  static boolean[] reducedMask(int[] axes, int rank) {
    boolean[] r = new boolean[rank];
    for (int a : axes) {
      r[a] = true;
    }
    return r;
  }

  static int[] outShape(int[] in, boolean[] reduced, boolean keepdims) {
    int n = 0;
    for (int i = 0; i < in.length; i++) {
      if (!reduced[i] || keepdims) {
        n++;
      }
    }
    int[] out = new int[n];
    int k = 0;
    for (int i = 0; i < in.length; i++) {
      if (!reduced[i]) {
        out[k++] = in[i];
      } else if (keepdims) {
        out[k++] = 1;
      }
    }
    return out;
  }

  @Override
  protected Spec infer(List<Node> in, Attrs attrs, String layer) {
    if (in.size() != 1 || in.get(0).dtype() != DType.FLOAT32) {
      throw fail(layer, "takes one float32 input");
    }
    Node x = in.get(0);
    int[] axes = axes(attrs.ints("axes"), x.rank(), this, layer);
    return Spec.f32(outShape(x.rawShape(), reducedMask(axes, x.rank()), attrs.b("keepdims", false)));
  }

  @Override
  public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
    RefTensor x = in.get(0);
    int rank = x.shape().length;
    boolean[] reduced = reducedMask(axes(attrs.ints("axes"), rank, this, ""), rank);
    int[] kept = outShape(x.shape(), reduced, true);
    int[] ks = Dims.strides(kept);
    double[] out = new double[(int) Dims.size(kept)];
    int[] count = new int[out.length];
    if (kind == Kind.MAX) {
      java.util.Arrays.fill(out, Double.NEGATIVE_INFINITY);
    }
    int[] index = new int[rank];
    for (int i = 0; i < x.size(); i++) {
      Kernels.unravel(i, x.shape(), index);
      int o = 0;
      for (int k = 0; k < rank; k++) {
        o += reduced[k] ? 0 : index[k] * ks[k];
      }
      double v = x.data()[i];
      if (kind == Kind.MAX) {
        out[o] = Math.max(out[o], v);
      } else {
        out[o] += v;
      }
      count[o]++;
    }
    if (kind == Kind.MEAN) {
      for (int o = 0; o < out.length; o++) {
        out[o] /= count[o] == 0 ? Double.NaN : count[o];
      }
    }
    return new RefTensor(outShape(x.shape(), reduced, attrs.b("keepdims", false)), out);
  }

  @Override
  public List<Node> gradient(Ops o, Node node, Node dy) {
    Node x = node.input(0);
    int[] axes = node.attrs().ints("axes");
    boolean[] reduced = reducedMask(axes(axes, x.rank(), this, node.layer()), x.rank());
    int[] kept = outShape(x.rawShape(), reduced, true);
    Node dyKept = o.reshape(dy, kept);
    Node spread = o.broadcastLike(dyKept, x);
    switch (kind) {
      case SUM:
        return List.of(spread);
      case MEAN:
        return List.of(o.div(spread, o.numel(x, axes)));
      default:
        Node y = o.reshape(node, kept);
        Node hit = o.equal(x, o.broadcastLike(y, x));
        Node ties = o.sum(hit, axes, true);
        return List.of(o.div(o.mul(spread, hit), o.broadcastLike(ties, x)));
    }
  }
}
