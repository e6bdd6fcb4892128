package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code UpSampling1D}: each step of {@code (batch, steps, channels)} repeated
 * {@code size} times (nearest neighbour). Default as in Keras: size 2.
 *
 * @param size the repeat count, at least 1
 * @param name the layer name, or {@code null} for an automatic one
 */
public record UpSampling1D(int size, String name) implements Layer {
  /** Validates the size. */
  public UpSampling1D {
    if (size < 1) {
      throw new IllegalArgumentException("UpSampling1D size must be at least 1, got " + size);
    }
  }

  /** {@code UpSampling1D()}: size 2. */
  public UpSampling1D() {
    this(2);
  }

  /** {@code UpSampling1D(size)}. */
  public UpSampling1D(int size) {
    this(size, null);
  }

  @Override
  public String kerasClass() {
    return "UpSampling1D";
  }

  @Override
  public UpSampling1D withName(String newName) {
    return new UpSampling1D(size, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Resize.checkRank(name, kerasClass(), inputShape, 1, DataFormat.CHANNELS_LAST);
    return new int[] {inputShape[0] * size, inputShape[1]};
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  /** {@code reshape(x, (N, L, 1, C))}, broadcast to {@code (N, L, size, C)}, reshaped back. */
  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    int l = x.dim(1);
    int c = x.dim(2);
    Node b = ops.broadcastTo(ops.reshape(x, -1, l, 1, c), -1, l, size, c);
    return ops.reshape(b, -1, l * size, c);
  }
}
