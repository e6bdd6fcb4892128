package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** An element-wise function of one float32 tensor; the output has the input's shape. */
final class UnaryOp extends Op {
  /** A gradient rule: the input's gradient from the input, the output and {@code dy}. */
  interface Rule {
    Node apply(Ops o, Node x, Node y, Node dy);
  }

  private final DoubleUnaryOperator kernel;
  private final Rule rule;
  private final String semantics;
  private final String gradientText;

  UnaryOp(String name, String semantics, DoubleUnaryOperator kernel, String gradientText,
      Rule rule) {
    super(name);
    this.semantics = semantics;
    this.kernel = kernel;
    this.gradientText = gradientText;
    this.rule = rule;
  }

  @Override
  public OpDoc doc() {
    return new OpDoc("elementwise", name() + "(x)", semantics + "; shape of x",
        rule == null ? "none" : gradientText);
  }

  @Override
  protected Spec infer(List<Node> inputs, Attrs attrs, String layer) {
    if (inputs.size() != 1) {
      throw fail(layer, "takes 1 input, got " + inputs.size());
    }
    Node x = inputs.get(0);
    if (x.dtype() != DType.FLOAT32) {
      throw fail(layer, "takes a float32 input, got " + x.dtype() + " " + x);
    }
    return Spec.f32(x.rawShape());
  }

  @Override
  public RefTensor evaluate(List<RefTensor> inputs, Attrs attrs) {
    RefTensor x = inputs.get(0);
    double[] out = new double[x.size()];
    double[] in = x.data();
    for (int i = 0; i < out.length; i++) {
      out[i] = kernel.applyAsDouble(in[i]);
    }
    return new RefTensor(x.shape(), out);
  }

  @Override
  public boolean differentiable() {
    return rule != null;
  }

  @Override
  public List<Node> gradient(Ops ops, Node node, Node dy) {
    return rule == null ? Arrays.asList((Node) null)
        : List.of(rule.apply(ops, node.input(0), node, dy));
  }
}
