package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/**
 * An element-wise function of two float32 tensors with numpy broadcasting. Comparisons return
 * {@code 1.0} for true and {@code 0.0} for false and have no gradient.
 */
final class BinaryOp extends Op {
  /** A gradient rule: the gradients of {@code a} and {@code b}, before un-broadcasting. */
  interface Rule {
    Node[] apply(Ops o, Node a, Node b, Node y, Node dy);
  }

  private final DoubleBinaryOperator kernel;
  private final Rule rule;
  private final String semantics;
  private final String gradientText;

  BinaryOp(String name, String semantics, DoubleBinaryOperator kernel, String gradientText,
      Rule rule) {
    super(name);
    this.semantics = semantics;
    this.kernel = kernel;
    this.gradientText = gradientText;
    this.rule = rule;
  }

  @Override
  public OpDoc doc() {
    return new OpDoc("elementwise", name() + "(a, b)", semantics
        + "; numpy broadcasting of a and b", rule == null ? "none" : gradientText
        + ", each summed over its broadcast axes");
  }

  @Override
  protected Spec infer(List<Node> inputs, Attrs attrs, String layer) {
    if (inputs.size() != 2) {
      throw fail(layer, "takes 2 inputs, got " + inputs.size());
    }
    Node a = inputs.get(0);
    Node b = inputs.get(1);
    if (a.dtype() != DType.FLOAT32 || b.dtype() != DType.FLOAT32) {
      throw fail(layer, "takes float32 inputs, got " + a.dtype() + " " + a + " and " + b.dtype()
          + " " + b + "; cast them first");
    }
    int[] out = Dims.broadcast(a.rawShape(), b.rawShape());
    if (out == null) {
      throw fail(layer, "shapes " + Dims.text(a.rawShape()) + " and " + Dims.text(b.rawShape())
          + " do not broadcast");
    }
    return Spec.f32(out);
  }

  @Override
  public RefTensor evaluate(List<RefTensor> inputs, Attrs attrs) {
    RefTensor a = inputs.get(0);
    RefTensor b = inputs.get(1);
    int[] shape = Dims.broadcast(a.shape(), b.shape());
    if (shape == null || Dims.dynamic(shape)) {
      throw new IllegalArgumentException(name() + ": shapes " + Dims.text(a.shape()) + " and "
          + Dims.text(b.shape()) + " do not broadcast");
    }
    double[] out = new double[(int) Dims.size(shape)];
    int[] sa = Dims.broadcastStrides(a.shape(), shape);
    int[] sb = Dims.broadcastStrides(b.shape(), shape);
    int[] index = new int[shape.length];
    double[] da = a.data();
    double[] db = b.data();
    int ia = 0;
    int ib = 0;
    for (int i = 0; i < out.length; i++) {
      out[i] = kernel.applyAsDouble(da[ia], db[ib]);
      for (int k = shape.length - 1; k >= 0; k--) {
        index[k]++;
        ia += sa[k];
        ib += sb[k];
        if (index[k] < shape[k]) {
          break;
        }
        ia -= sa[k] * shape[k];
        ib -= sb[k] * shape[k];
        index[k] = 0;
      }
    }
    return new RefTensor(shape, out);
  }

  @Override
  public boolean differentiable() {
    return rule != null;
  }

  @Override
  public List<Node> gradient(Ops ops, Node node, Node dy) {
    if (rule == null) {
      return Arrays.asList(null, null);
    }
    Node a = node.input(0);
    Node b = node.input(1);
    Node[] g = rule.apply(ops, a, b, node, dy);
    return Arrays.asList(g[0] == null ? null : ops.sumTo(g[0], a),
        g[1] == null ? null : ops.sumTo(g[1], b));
  }
}
