package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code UpSampling2D} with {@code interpolation='nearest'} (the only one supported):
 * each row repeated {@code size[0]} times and each column {@code size[1]} times. Defaults as in
 * Keras: size (2, 2), {@code channels_last}.
 *
 * @param size (rows, columns) repeat counts, each at least 1
 * @param dataFormat where the channel axis lies
 * @param name the layer name, or {@code null} for an automatic one
 */
public record UpSampling2D(int[] size, DataFormat dataFormat, String name) implements Layer {
  /** Validates and copies the size. */
  public UpSampling2D {
    size = Spatial.positive("UpSampling2D", "size", size, 2);
    Objects.requireNonNull(dataFormat, "dataFormat");
  }

  /** {@code UpSampling2D()}: size (2, 2). */
  public UpSampling2D() {
    this(2, 2);
  }

  /** {@code UpSampling2D((rows, columns))}. */
  public UpSampling2D(int rows, int columns) {
    this(new int[] {rows, columns}, DataFormat.CHANNELS_LAST, null);
  }

  @Override
  public int[] size() {
    return size.clone();
  }

  @Override
  public String kerasClass() {
    return "UpSampling2D";
  }

  @Override
  public UpSampling2D withName(String newName) {
    return new UpSampling2D(size, dataFormat, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Resize.checkRank(name, kerasClass(), inputShape, 2, dataFormat);
    Spatial s = new Spatial(name, kerasClass(), 2, size, size, size, Padding.VALID, dataFormat);
    int[] in = s.spatialOf(inputShape);
    return s.shape(new int[] {in[0] * size[0], in[1] * size[1]}, s.channelsOf(inputShape));
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  /** Reshape to {@code (N, H, 1, W, 1, C)}, broadcast to {@code (N, H, sh, W, sw, C)}, reshape. */
  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    Node h = Spatial.toLast(ops, x, dataFormat, 2);
    int rows = h.dim(1);
    int cols = h.dim(2);
    int c = h.dim(3);
    Node b = ops.broadcastTo(ops.reshape(h, -1, rows, 1, cols, 1, c), -1, rows, size[0], cols,
        size[1], c);
    Node y = ops.reshape(b, -1, rows * size[0], cols * size[1], c);
    return Spatial.fromLast(ops, y, dataFormat, 2);
  }
}
