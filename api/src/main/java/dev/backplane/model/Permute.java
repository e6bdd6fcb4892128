package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code Permute}: permutes the per-sample axes; {@code dims} is 1-based, as in Keras
 * ({@code Permute((2, 1))} swaps the two axes of each sample).
 *
 * @param dims a permutation of {@code 1..rank}
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Permute(int[] dims, String name) implements Layer {
  /** Validates and copies the permutation. */
  public Permute {
    if (dims == null || dims.length == 0) {
      throw new IllegalArgumentException("Permute needs dims");
    }
    dims = dims.clone();
    boolean[] seen = new boolean[dims.length];
    for (int d : dims) {
      if (d < 1 || d > dims.length || seen[d - 1]) {
        throw new IllegalArgumentException("Permute dims " + Shapes.tuple(dims)
            + " must be a permutation of 1.." + dims.length + " (1-based, the batch excluded)");
      }
      seen[d - 1] = true;
    }
  }

  /** {@code Permute(dims)}. */
  public static Permute of(int... dims) {
    return new Permute(dims, null);
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public String kerasClass() {
    return "Permute";
  }

  @Override
  public Permute withName(String newName) {
    return new Permute(dims, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    if (inputShape.length != dims.length) {
      throw new IllegalArgumentException(Spatial.who(name, "Permute") + " dims "
          + Shapes.tuple(dims) + " needs input of rank " + (dims.length + 1) + " but got shape "
          + Shapes.withBatch(inputShape));
    }
    int[] out = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      out[i] = inputShape[dims[i] - 1];
    }
    return out;
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    int[] perm = new int[dims.length + 1];
    for (int i = 0; i < dims.length; i++) {
      perm[i + 1] = dims[i];
    }
    return ctx.ops().transpose(x, perm);
  }
}
