package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code ZeroPadding1D}: zeros added before and after the steps axis of
 * {@code (batch, steps, channels)}. Default as in Keras: one on each side.
 *
 * @param padding (before, after), each {@code >= 0}
 * @param name the layer name, or {@code null} for an automatic one
 */
public record ZeroPadding1D(int[] padding, String name) implements Layer {
  /** Validates and copies the padding. */
  public ZeroPadding1D {
    padding = Resize.amounts("ZeroPadding1D", "padding", padding, 2);
  }

  /** {@code ZeroPadding1D()}: one on each side. */
  public ZeroPadding1D() {
    this(1);
  }

  /** {@code ZeroPadding1D(padding)}: the same on each side. */
  public ZeroPadding1D(int padding) {
    this(new int[] {padding, padding}, null);
  }

  @Override
  public int[] padding() {
    return padding.clone();
  }

  @Override
  public String kerasClass() {
    return "ZeroPadding1D";
  }

  @Override
  public ZeroPadding1D withName(String newName) {
    return new ZeroPadding1D(padding, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Resize.checkRank(name, kerasClass(), inputShape, 1, DataFormat.CHANNELS_LAST);
    return new int[] {inputShape[0] + padding[0] + padding[1], inputShape[1]};
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    return ctx.ops().pad(x, new int[] {0, 0, padding[0], padding[1], 0, 0}, 0);
  }
}
