package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code ReLU} layer: {@code max_value} where {@code x >= max_value}, {@code x} where
 * {@code threshold <= x < max_value}, {@code negative_slope (x - threshold)} otherwise. Defaults
 * as in Keras: no max value, slope 0, threshold 0 (the plain relu).
 *
 * @param maxValue the upper bound, or {@code null} for none; {@code >= 0}
 * @param negativeSlope the slope below the threshold, {@code >= 0}
 * @param threshold where the function turns
 * @param name the layer name, or {@code null} for an automatic one
 */
public record ReLU(Double maxValue, double negativeSlope, double threshold, String name)
    implements Layer {
  /** Validates the configuration. */
  public ReLU {
    if (maxValue != null && !(maxValue >= 0)) {
      throw new IllegalArgumentException("ReLU max_value must be >= 0, got " + maxValue);
    }
    if (!(negativeSlope >= 0)) {
      throw new IllegalArgumentException("ReLU negative_slope must be >= 0, got "
          + negativeSlope);
    }
  }

  /** {@code ReLU()}. */
  public ReLU() {
    this(null, 0, 0, null);
  }

  /** {@code ReLU(max_value, negative_slope, threshold)}. */
  public ReLU(Double maxValue, double negativeSlope, double threshold) {
    this(maxValue, negativeSlope, threshold, null);
  }

  @Override
  public String kerasClass() {
    return "ReLU";
  }

  @Override
  public ReLU withName(String newName) {
    return new ReLU(maxValue, negativeSlope, threshold, newName);
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
    Node t = ops.scalar(threshold);
    Node below = negativeSlope == 0 ? ops.zerosLike(x)
        : ops.mul(ops.scalar(negativeSlope), ops.sub(x, t));
    Node y = ops.where(ops.greaterEqual(x, t), x, below);
    if (maxValue != null) {
      Node m = ops.scalar(maxValue);
      y = ops.where(ops.greaterEqual(x, m), ops.broadcastLike(m, x), y);
    }
    return y;
  }
}
