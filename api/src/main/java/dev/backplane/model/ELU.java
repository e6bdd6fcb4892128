package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code ELU} layer: {@code x > 0 ? x : alpha (exp(x) - 1)}. Default as in Keras:
 * alpha 1.
 *
 * @param alpha the scale of the negative part
 * @param name the layer name, or {@code null} for an automatic one
 */
public record ELU(double alpha, String name) implements Layer {
  /** {@code ELU()}: alpha 1. */
  public ELU() {
    this(1.0);
  }

  /** {@code ELU(alpha)}. */
  public ELU(double alpha) {
    this(alpha, null);
  }

  @Override
  public String kerasClass() {
    return "ELU";
  }

  @Override
  public ELU withName(String newName) {
    return new ELU(alpha, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    return ops.where(ops.greater(x, ops.scalar(0)), x,
        ops.mul(ops.scalar(alpha), ops.expm1(ops.minimum(x, ops.scalar(0)))));
  }
}
