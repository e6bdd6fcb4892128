package dev.backplane.model;

import dev.backplane.ops.Node;

import java.util.List;

/**
 * Keras's {@code Flatten}: reshapes each sample to one axis. Host tensors are row-major, so the
 * values do not move; backends treat it as a reshape.
 *
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Flatten(String name) implements Layer {
  /** {@code Flatten()}. */
  public Flatten() {
    this(null);
  }

  @Override
  public String kerasClass() {
    return "Flatten";
  }

  @Override
  public Flatten withName(String newName) {
    return new Flatten(newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return new int[] {Shapes.size(inputShape)};
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    return ctx.ops().reshape(x, -1, (int) Shapes.size(java.util.Arrays.copyOfRange(x.shape(), 1,
        x.rank())));
  }
}
