package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code ZeroPadding2D}: zeros added around the height and width axes. Default as in
 * Keras: one on every side, {@code channels_last}.
 *
 * @param padding (top, bottom, left, right), each {@code >= 0}
 * @param dataFormat where the channel axis lies
 * @param name the layer name, or {@code null} for an automatic one
 */
public record ZeroPadding2D(int[] padding, DataFormat dataFormat, String name) implements Layer {
  /** Validates and copies the padding. */
  public ZeroPadding2D {
    padding = Resize.amounts("ZeroPadding2D", "padding", padding, 4);
    Objects.requireNonNull(dataFormat, "dataFormat");
  }

  /** {@code ZeroPadding2D()}: one on every side. */
  public ZeroPadding2D() {
    this(1);
  }

  /** {@code ZeroPadding2D(padding)}: the same on every side. */
  public ZeroPadding2D(int padding) {
    this(padding, padding);
  }

  /** {@code ZeroPadding2D((height, width))}: symmetric per axis. */
  public ZeroPadding2D(int height, int width) {
    this(new int[] {height, height, width, width}, DataFormat.CHANNELS_LAST, null);
  }

  @Override
  public int[] padding() {
    return padding.clone();
  }

  @Override
  public String kerasClass() {
    return "ZeroPadding2D";
  }

  @Override
  public ZeroPadding2D withName(String newName) {
    return new ZeroPadding2D(padding, dataFormat, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return Resize.resized2d(name, kerasClass(), inputShape, dataFormat, padding, 1);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    Node h = Spatial.toLast(ops, x, dataFormat, 2);
    Node y = ops.pad(h, new int[] {0, 0, padding[0], padding[1], padding[2], padding[3], 0, 0}, 0);
    return Spatial.fromLast(ops, y, dataFormat, 2);
  }
}
