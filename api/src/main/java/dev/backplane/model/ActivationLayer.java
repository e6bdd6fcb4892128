package dev.backplane.model;

import dev.backplane.ops.Node;

import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code Activation} layer: applies an activation to its input. Softmax acts over the
 * last (feature) axis.
 *
 * @param activation the function
 * @param name the layer name, or {@code null} for an automatic one
 */
public record ActivationLayer(Activation activation, String name) implements Layer {
  /** Validates the activation. */
  public ActivationLayer {
    Objects.requireNonNull(activation, "activation");
  }

  /** {@code Activation(activation)}. */
  public ActivationLayer(Activation activation) {
    this(activation, null);
  }

  /** {@code Activation("relu")}, by Keras name. */
  public ActivationLayer(String activation) {
    this(Activation.of(activation), null);
  }

  @Override
  public String kerasClass() {
    return "Activation";
  }

  @Override
  public ActivationLayer withName(String newName) {
    return new ActivationLayer(activation, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    if (activation == Activation.SOFTMAX && inputShape.length != 1) {
      throw new IllegalArgumentException("Layer '" + name + "' (Activation softmax) needs one"
          + " feature axis but its input has shape " + Shapes.withBatch(inputShape)
          + "; add a Flatten layer before it");
    }
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    return activation.build(ctx.ops(), x);
  }
}
