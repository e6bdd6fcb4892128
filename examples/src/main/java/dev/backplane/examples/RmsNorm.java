package dev.backplane.examples;

import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.LayerContext;
import dev.backplane.model.ParameterSpec;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * A custom layer written only with the public op builder: RMS normalisation over the last axis
 * with a trainable scale, {@code y = x / sqrt(mean(x², -1) + epsilon) · scale}. It runs, with its
 * gradient, on every backend, because backends only ever see its ops.
 *
 * @param epsilon added to the mean square
 * @param name the layer name, or {@code null} for an automatic one
 */
public record RmsNorm(double epsilon, String name) implements Layer {
  /** {@code RmsNorm(epsilon=1e-6)}. */
  public RmsNorm() {
    this(1e-6, null);
  }

  @Override
  public String kerasClass() {
    return "RMSNorm";
  }

  @Override
  public Layer withName(String newName) {
    return new RmsNorm(epsilon, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of(new ParameterSpec("scale", new int[] {inputShape[inputShape.length - 1]},
        Initializer.ONES));
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    Node meanSquare = ops.mean(ops.square(x), -1, true);
    Node inverse = ops.rsqrt(ops.add(meanSquare, ops.scalar(epsilon)));
    return ops.mul(ops.mul(x, inverse), ctx.weight("scale"));
  }
}
