package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code RepeatVector}: {@code (batch, features)} to {@code (batch, n, features)}.
 *
 * @param n the number of repeats, at least 1
 * @param name the layer name, or {@code null} for an automatic one
 */
public record RepeatVector(int n, String name) implements Layer {
  /** Validates n. */
  public RepeatVector {
    if (n < 1) {
      throw new IllegalArgumentException("RepeatVector n must be at least 1, got " + n);
    }
  }

  /** {@code RepeatVector(n)}. */
  public RepeatVector(int n) {
    this(n, null);
  }

  @Override
  public String kerasClass() {
    return "RepeatVector";
  }

  @Override
  public RepeatVector withName(String newName) {
    return new RepeatVector(n, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    if (inputShape.length != 1) {
      throw new IllegalArgumentException(Spatial.who(name, "RepeatVector") + " expects input of"
          + " rank 2 (batch, features) but got shape " + Shapes.withBatch(inputShape));
    }
    return new int[] {n, inputShape[0]};
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    int f = x.dim(1);
    return ops.broadcastTo(ops.reshape(x, -1, 1, f), -1, n, f);
  }
}
