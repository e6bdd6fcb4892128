package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code Softmax} layer: softmax over {@code axis}. Default as in Keras: the last axis.
 *
 * @param axis the axis on the batched shape (negative from the end; 0 is the batch)
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Softmax(int axis, String name) implements Layer {
  /** {@code Softmax()}: the last axis. */
  public Softmax() {
    this(-1);
  }

  /** {@code Softmax(axis)}. */
  public Softmax(int axis) {
    this(axis, null);
  }

  @Override
  public String kerasClass() {
    return "Softmax";
  }

  @Override
  public Softmax withName(String newName) {
    return new Softmax(axis, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Norms.axis(name, "Softmax", axis, inputShape);
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    return ctx.ops().softmax(x, axis < 0 ? axis + x.rank() : axis);
  }
}
