package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code PReLU} layer: {@code relu(x) - alpha · relu(-x)} with a trainable
 * {@code alpha} shaped like the per-sample input, except that {@code shared_axes} (1-based
 * per-sample axes, as in Keras) have size 1 and share one slope. Default as in Keras: alpha
 * initialized to zeros, no shared axes.
 *
 * @param alphaInitializer how alpha is drawn
 * @param sharedAxes the 1-based axes sharing a slope, e.g. {@code {1, 2}} for images
 * @param name the layer name, or {@code null} for an automatic one
 */
public record PReLU(Initializer alphaInitializer, int[] sharedAxes, String name)
    implements Layer {
  /** Validates and copies the configuration. */
  public PReLU {
    Objects.requireNonNull(alphaInitializer, "alphaInitializer");
    sharedAxes = sharedAxes == null ? new int[0] : sharedAxes.clone();
  }

  /** {@code PReLU()}. */
  public PReLU() {
    this(Initializer.ZEROS, new int[0], null);
  }

  /** {@code PReLU(shared_axes=...)}. */
  public static PReLU sharedAxes(int... axes) {
    return new PReLU(Initializer.ZEROS, axes, null);
  }

  @Override
  public int[] sharedAxes() {
    return sharedAxes.clone();
  }

  @Override
  public String kerasClass() {
    return "PReLU";
  }

  @Override
  public PReLU withName(String newName) {
    return new PReLU(alphaInitializer, sharedAxes, newName);
  }

  private int[] alphaShape(int[] in) {
    int[] s = in.clone();
    for (int a : sharedAxes) {
      if (a < 1 || a > in.length) {
        throw new IllegalArgumentException(Spatial.who(name, "PReLU") + " shared_axes "
            + java.util.Arrays.toString(sharedAxes) + " must be 1-based axes of the input "
            + Shapes.withBatch(in) + ", in 1.." + in.length);
      }
      s[a - 1] = 1;
    }
    return s;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    alphaShape(inputShape);
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of(new ParameterSpec("alpha", alphaShape(inputShape), alphaInitializer));
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    return ops.sub(ops.relu(x), ops.mul(ctx.weight("alpha"), ops.relu(ops.neg(x))));
  }
}
