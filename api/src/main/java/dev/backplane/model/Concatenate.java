package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code Concatenate}: joins its inputs along {@code axis} (default -1, the last
 * per-sample axis); the other axes must agree.
 *
 * @param axis the axis, counted on the batched shape (negative from the end; 0 is the batch)
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Concatenate(int axis, String name) implements Layer {
  /** {@code Concatenate()} on the last axis. */
  public Concatenate() {
    this(-1, null);
  }

  @Override
  public String kerasClass() {
    return "Concatenate";
  }

  @Override
  public Concatenate withName(String newName) {
    return new Concatenate(axis, newName);
  }

  @Override
  public int inputCount() {
    return -1;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    throw new IllegalArgumentException("Layer '" + name + "' (Concatenate) joins at least 2"
        + " inputs; call it on a list of tensors");
  }

  private int perSampleAxis(int rank) {
    int a = axis < 0 ? axis + rank + 1 : axis;
    if (a < 1 || a > rank) {
      throw new IllegalArgumentException("Layer '" + name + "' (Concatenate) axis " + axis
          + " is out of range for inputs of rank " + (rank + 1) + " (the batch axis 0 cannot be"
          + " joined)");
    }
    return a - 1;
  }

  @Override
  public int[] outputShape(List<int[]> inputShapes) {
    if (inputShapes.size() < 2) {
      throw new IllegalArgumentException("Layer '" + name + "' (Concatenate) needs at least 2"
          + " inputs, got " + inputShapes.size());
    }
    int[] first = inputShapes.get(0);
    int a = perSampleAxis(first.length);
    int[] out = first.clone();
    for (int k = 1; k < inputShapes.size(); k++) {
      int[] s = inputShapes.get(k);
      boolean ok = s.length == first.length;
      for (int i = 0; ok && i < s.length; i++) {
        ok = i == a || s[i] == first[i];
      }
      if (!ok) {
        throw new IllegalArgumentException("Layer '" + name + "' (Concatenate) needs inputs that"
            + " match except on axis " + axis + ", got "
            + inputShapes.stream().map(Shapes::withBatch).toList());
      }
      out[a] += s[a];
    }
    return out;
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    throw new IllegalArgumentException("Layer '" + name + "' (Concatenate) joins at least 2"
        + " inputs");
  }

  @Override
  public Node call(LayerContext ctx, List<Node> inputs) {
    return ctx.ops().concat(inputs, perSampleAxis(inputs.get(0).rank() - 1) + 1);
  }
}
