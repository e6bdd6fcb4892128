package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code Cropping2D}: rows and columns cut from the edges of the height and width axes.
 * Default as in Keras: nothing cut, {@code channels_last}.
 *
 * @param cropping (top, bottom, left, right), each {@code >= 0}
 * @param dataFormat where the channel axis lies
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Cropping2D(int[] cropping, DataFormat dataFormat, String name) implements Layer {
  /** Validates and copies the cropping. */
  public Cropping2D {
    cropping = Resize.amounts("Cropping2D", "cropping", cropping, 4);
    Objects.requireNonNull(dataFormat, "dataFormat");
  }

  /** {@code Cropping2D()}: nothing cut. */
  public Cropping2D() {
    this(0, 0);
  }

  /** {@code Cropping2D((height, width))}: symmetric per axis. */
  public Cropping2D(int height, int width) {
    this(new int[] {height, height, width, width}, DataFormat.CHANNELS_LAST, null);
  }

  @Override
  public int[] cropping() {
    return cropping.clone();
  }

  @Override
  public String kerasClass() {
    return "Cropping2D";
  }

  @Override
  public Cropping2D withName(String newName) {
    return new Cropping2D(cropping, dataFormat, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return Resize.resized2d(name, kerasClass(), inputShape, dataFormat, cropping, -1);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    Node h = Spatial.toLast(ops, x, dataFormat, 2);
    int rows = h.dim(1) - cropping[0] - cropping[1];
    int cols = h.dim(2) - cropping[2] - cropping[3];
    Node y = ops.slice(h, new int[] {0, cropping[0], cropping[2], 0},
        new int[] {-1, rows, cols, -1});
    return Spatial.fromLast(ops, y, dataFormat, 2);
  }
}
