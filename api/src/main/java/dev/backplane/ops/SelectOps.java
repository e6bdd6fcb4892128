package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;

/** {@code where}, {@code clip}, {@code cast} and {@code stop_gradient}. */
final class SelectOps {
  private SelectOps() {}

  /** {@code where(condition, a, b)}: a where condition is non-zero, else b; broadcasting. */
  static final class Where extends Op {
    Where() {
      super("where");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("elementwise", "where(condition, a, b)",
          "a where condition != 0 else b; numpy broadcasting of all three",
          "condition: none; a: where(condition, dy, 0); b: where(condition, 0, dy)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      if (in.size() != 3) {
        throw fail(layer, "takes 3 inputs, got " + in.size());
      }
      int[] s = Dims.broadcast(in.get(0).rawShape(), in.get(1).rawShape());
      s = s == null ? null : Dims.broadcast(s, in.get(2).rawShape());
      if (s == null) {
        throw fail(layer, "shapes " + Dims.text(in.get(0).rawShape()) + ", "
            + Dims.text(in.get(1).rawShape()) + " and " + Dims.text(in.get(2).rawShape())
            + " do not broadcast");
      }
      return Spec.f32(s);
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      int[] s = Dims.broadcast(Dims.broadcast(in.get(0).shape(), in.get(1).shape()),
          in.get(2).shape());
      RefTensor c = Kernels.broadcast(in.get(0), s);
      RefTensor a = Kernels.broadcast(in.get(1), s);
      RefTensor b = Kernels.broadcast(in.get(2), s);
      double[] out = new double[c.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = c.data()[i] != 0 ? a.data()[i] : b.data()[i];
      }
      return new RefTensor(s, out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      Node zero = o.zerosLike(dy);
      Node c = node.input(0);
      return Arrays.asList(null, o.sumTo(o.where(c, dy, zero), node.input(1)),
          o.sumTo(o.where(c, zero, dy), node.input(2)));
    }
  }

  /** {@code clip(x; min, max)}. */
  static final class Clip extends Op {
    Clip() {
      super("clip");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("elementwise", "clip(x; min, max)", "min(max(x, min), max); shape of x",
          "dy where min <= x <= max, else 0");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      if (in.size() != 1 || in.get(0).dtype() != DType.FLOAT32) {
        throw fail(layer, "takes one float32 input");
      }
      if (!(attrs.d("min") <= attrs.d("max"))) {
        throw fail(layer, "min " + attrs.d("min") + " exceeds max " + attrs.d("max"));
      }
      return Spec.f32(in.get(0).rawShape());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      double lo = (float) attrs.d("min");
      double hi = (float) attrs.d("max");
      double[] x = in.get(0).data();
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = Math.min(Math.max(x[i], lo), hi);
      }
      return new RefTensor(in.get(0).shape(), out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      Node x = node.input(0);
      Node inside = o.mul(o.greaterEqual(x, o.scalar(node.attrs().d("min"))),
          o.lessEqual(x, o.scalar(node.attrs().d("max"))));
      return List.of(o.mul(dy, inside));
    }
  }

  /** {@code cast(x; dtype)}: float32 to int32 truncates toward zero. */
  static final class Cast extends Op {
    Cast() {
      super("cast");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("type", "cast(x; dtype)",
          "x converted to float32 or int32 (toward zero); shape of x",
          "float32 to float32: dy; to or from int32: none");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      if (in.size() != 1) {
        throw fail(layer, "takes 1 input");
      }
      return new Spec(in.get(0).rawShape(), DType.valueOf(attrs.s("dtype")));
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      double[] x = in.get(0).data();
      double[] out = x.clone();
      if (DType.valueOf(attrs.s("dtype")) == DType.INT32) {
        for (int i = 0; i < out.length; i++) {
          out[i] = (int) x[i];
        }
      } else {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) x[i];
        }
      }
      return new RefTensor(in.get(0).shape(), out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      boolean floats = node.dtype() == DType.FLOAT32 && node.input(0).dtype() == DType.FLOAT32;
      return Arrays.asList(floats ? dy : null);
    }
  }

  /** {@code stop_gradient(x)}. */
  static final class StopGradient extends Op {
    StopGradient() {
      super("stop_gradient");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("type", "stop_gradient(x)", "x", "none (blocks the gradient)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      if (in.size() != 1) {
        throw fail(layer, "takes 1 input");
      }
      return new Spec(in.get(0).rawShape(), in.get(0).dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      return in.get(0);
    }

    @Override
    public boolean differentiable() {
      return false;
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      return Arrays.asList((Node) null);
    }
  }
}
