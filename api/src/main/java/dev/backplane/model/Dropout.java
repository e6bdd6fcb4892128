package dev.backplane.model;

import dev.backplane.ops.Ops;

import dev.backplane.ops.Node;

import java.util.List;

/**
 * Keras's {@code Dropout}: in training, zeroes each input with probability {@code rate} and scales
 * the rest by {@code 1 / (1 - rate)}; in evaluation and prediction it passes inputs through.
 *
 * @param rate the fraction to drop, in {@code [0, 1)}
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Dropout(double rate, String name) implements Layer {
  /** Validates the rate. */
  public Dropout {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
    }
  }

  /** {@code Dropout(rate)}. */
  public Dropout(double rate) {
    this(rate, null);
  }

  @Override
  public String kerasClass() {
    return "Dropout";
  }

  @Override
  public Dropout withName(String newName) {
    return new Dropout(rate, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  /**
   * In training, {@code x · where(u >= rate, 1 / (1 - rate), 0)} with {@code u} from the
   * counter-based {@code random_uniform} keyed by the seed, the iteration and the layer; the
   * identity otherwise.
   */
  @Override
  public Node call(LayerContext ctx, Node x) {
    if (!ctx.training() || rate == 0) {
      return x;
    }
    Ops ops = ctx.ops();
    Node u = ops.randomUniform(x, ctx.iteration(), ctx.seed(), ctx.salt());
    Node mask = ops.where(ops.greaterEqual(u, ops.scalar(rate)), ops.scalar(1 / (1 - rate)),
        ops.scalar(0));
    return ops.mul(x, mask);
  }
}
