package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code Reshape}: each sample to {@code targetShape} (without the batch axis); one
 * dimension may be -1 and is inferred.
 *
 * @param targetShape the per-sample shape
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Reshape(int[] targetShape, String name) implements Layer {
  /** Validates and copies the shape. */
  public Reshape {
    if (targetShape == null || targetShape.length == 0) {
      throw new IllegalArgumentException("Reshape needs a target_shape");
    }
    targetShape = targetShape.clone();
    int unknown = 0;
    for (int d : targetShape) {
      if (d == -1) {
        unknown++;
      } else if (d < 1) {
        throw new IllegalArgumentException("Reshape target_shape " + Shapes.tuple(targetShape)
            + " has a dimension < 1 (only one -1 is allowed)");
      }
    }
    if (unknown > 1) {
      throw new IllegalArgumentException("Reshape target_shape " + Shapes.tuple(targetShape)
          + " has more than one -1");
    }
  }

  /** {@code Reshape(target_shape)}. */
  public static Reshape of(int... targetShape) {
    return new Reshape(targetShape, null);
  }

  @Override
  public int[] targetShape() {
    return targetShape.clone();
  }

  @Override
  public String kerasClass() {
    return "Reshape";
  }

  @Override
  public Reshape withName(String newName) {
    return new Reshape(targetShape, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    int total = Shapes.size(inputShape);
    int known = 1;
    int at = -1;
    int[] out = targetShape.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] == -1) {
        at = i;
      } else {
        known *= out[i];
      }
    }
    if (at >= 0 && total % known == 0) {
      out[at] = total / known;
      known = total;
    }
    if (known != total) {
      throw new IllegalArgumentException(Spatial.who(name, "Reshape") + " cannot reshape input "
          + Shapes.withBatch(inputShape) + " (" + total + " values per sample) to target_shape "
          + Shapes.tuple(targetShape));
    }
    return out;
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    int[] in = java.util.Arrays.copyOfRange(x.shape(), 1, x.rank());
    int[] out = outputShape(in);
    int[] s = new int[out.length + 1];
    s[0] = -1;
    System.arraycopy(out, 0, s, 1, out.length);
    return ctx.ops().reshape(x, s);
  }
}
