package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras 2's {@code ThresholdedReLU} layer: {@code x > theta ? x : 0}. Default as in Keras:
 * theta 1.
 *
 * @param theta the threshold, {@code >= 0}
 * @param name the layer name, or {@code null} for an automatic one
 */
public record ThresholdedReLU(double theta, String name) implements Layer {
  /** Validates theta. */
  public ThresholdedReLU {
    if (!(theta >= 0)) {
      throw new IllegalArgumentException("ThresholdedReLU theta must be >= 0, got " + theta);
    }
  }

  /** {@code ThresholdedReLU()}: theta 1. */
  public ThresholdedReLU() {
    this(1.0);
  }

  /** {@code ThresholdedReLU(theta)}. */
  public ThresholdedReLU(double theta) {
    this(theta, null);
  }

  @Override
  public String kerasClass() {
    return "ThresholdedReLU";
  }

  @Override
  public ThresholdedReLU withName(String newName) {
    return new ThresholdedReLU(theta, newName);
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
    return ops.mul(x, ops.greater(x, ops.scalar(theta)));
  }
}
