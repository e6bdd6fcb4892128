package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code LeakyReLU} layer: {@code x > 0 ? x : negative_slope · x}. Default as in Keras:
 * slope 0.3 (Keras 2 called it {@code alpha}; {@link #alpha(double)} accepts that name).
 *
 * @param negativeSlope the slope for negative inputs, {@code >= 0}
 * @param name the layer name, or {@code null} for an automatic one
 */
public record LeakyReLU(double negativeSlope, String name) implements Layer {
  /** Keras's default negative slope. */
  public static final double DEFAULT_SLOPE = 0.3;

  /** Validates the slope. */
  public LeakyReLU {
    if (!(negativeSlope >= 0)) {
      throw new IllegalArgumentException("LeakyReLU negative_slope must be >= 0, got "
          + negativeSlope);
    }
  }

  /** {@code LeakyReLU()}: slope 0.3. */
  public LeakyReLU() {
    this(DEFAULT_SLOPE);
  }

  /** {@code LeakyReLU(negative_slope)}. */
  public LeakyReLU(double negativeSlope) {
    this(negativeSlope, null);
  }

  /** Keras 2's {@code LeakyReLU(alpha=...)}. */
  public static LeakyReLU alpha(double alpha) {
    return new LeakyReLU(alpha);
  }

  @Override
  public String kerasClass() {
    return "LeakyReLU";
  }

  @Override
  public LeakyReLU withName(String newName) {
    return new LeakyReLU(negativeSlope, newName);
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
    return ops.where(ops.greater(x, ops.scalar(0)), x, ops.mul(ops.scalar(negativeSlope), x));
  }
}
