package dev.backplane.ops;

import java.util.List;

/** {@code softmax(x; axis)} and {@code log_softmax(x; axis)}, computed stably (max subtracted). */
final class SoftmaxOp extends Op {
  private final boolean log;

  SoftmaxOp(boolean log) {
    super(log ? "log_softmax" : "softmax");
    this.log = log;
  }

  @Override
  public OpDoc doc() {
    return new OpDoc("nn", name() + "(x; axis)", log
        ? "x - max - log(sum(exp(x - max))) over axis" : "exp(x - max) / sum(exp(x - max)) over"
        + " axis", log ? "dy - exp(y) · sum(dy; axis, keepdims)"
        : "y · (dy - sum(dy · y; axis, keepdims))");
  }

  @Override
  protected Spec infer(List<Node> in, Attrs attrs, String layer) {
    Node x = in.get(0);
    if (x.dtype() != DType.FLOAT32 || Dims.axis(attrs.i("axis"), x.rank()) < 0) {
      throw fail(layer, "takes a float32 input with axis " + attrs.i("axis") + " in range, got "
          + x);
    }
    return Spec.f32(x.rawShape());
  }

  @Override
  public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
    RefTensor x = in.get(0);
    int[] shape = x.shape();
    int axis = Dims.axis(attrs.i("axis"), shape.length);
    int n = shape[axis];
    int inner = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    int outer = x.size() / Math.max(1, n * inner);
    double[] out = new double[x.size()];
    double[] d = x.data();
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * n * inner + i;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
          max = Math.max(max, d[base + k * inner]);
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += Math.exp(d[base + k * inner] - max);
        }
        for (int k = 0; k < n; k++) {
          double v = d[base + k * inner] - max;
          out[base + k * inner] = log ? v - Math.log(sum) : Math.exp(v) / sum;
        }
      }
    }
    return new RefTensor(shape, out);
  }

  @Override
  public List<Node> gradient(Ops o, Node node, Node dy) {
    int[] axis = {node.attrs().i("axis")};
    if (log) {
      return List.of(o.sub(dy, o.mul(o.exp(node), o.sum(dy, axis, true))));
    }
    return List.of(o.mul(node, o.sub(dy, o.sum(o.mul(dy, node), axis, true))));
  }
}
