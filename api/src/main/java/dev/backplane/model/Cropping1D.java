package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code Cropping1D}: cells cut from the start and end of the steps axis of
 * {@code (batch, steps, channels)}. Default as in Keras: one from each end.
 *
 * @param cropping (start, end), each {@code >= 0}
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Cropping1D(int[] cropping, String name) implements Layer {
  /** Validates and copies the cropping. */
  public Cropping1D {
    cropping = Resize.amounts("Cropping1D", "cropping", cropping, 2);
  }

  /** {@code Cropping1D()}: one from each end. */
  public Cropping1D() {
    this(1, 1);
  }

  /** {@code Cropping1D((start, end))}. */
  public Cropping1D(int start, int end) {
    this(new int[] {start, end}, null);
  }

  @Override
  public int[] cropping() {
    return cropping.clone();
  }

  @Override
  public String kerasClass() {
    return "Cropping1D";
  }

  @Override
  public Cropping1D withName(String newName) {
    return new Cropping1D(cropping, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Resize.checkRank(name, kerasClass(), inputShape, 1, DataFormat.CHANNELS_LAST);
    int out = inputShape[0] - cropping[0] - cropping[1];
    if (out < 1) {
      throw new IllegalArgumentException(Spatial.who(name, kerasClass()) + " cropping "
          + Shapes.tuple(cropping) + " removes every step of input shape "
          + Shapes.withBatch(inputShape));
    }
    return new int[] {out, inputShape[1]};
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    int steps = x.dim(1) - cropping[0] - cropping[1];
    return ctx.ops().slice(x, new int[] {0, cropping[0], 0}, new int[] {-1, steps, -1});
  }
}
