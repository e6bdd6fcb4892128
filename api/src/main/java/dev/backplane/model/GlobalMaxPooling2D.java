package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code GlobalMaxPooling2D}: the maximum over all spatial axes, per channel. With
 * {@code keepdims} the spatial axes stay as size 1. Defaults as in Keras: {@code channels_last},
 * no keepdims.
 *
 * @param dataFormat where the channel axis lies
 * @param keepdims whether to keep the spatial axes with size 1
 * @param name the layer name, or {@code null} for an automatic one
 */
public record GlobalMaxPooling2D(DataFormat dataFormat, boolean keepdims, String name)
    implements Layer {
  private static final int RANK = 2;
  private static final String CLS = "GlobalMaxPooling2D";
  private static final boolean MAX = true;

  /** Validates the configuration. */
  public GlobalMaxPooling2D {
    Objects.requireNonNull(dataFormat, "dataFormat");
  }

  /** {@code GlobalMaxPooling2D()}. */
  public GlobalMaxPooling2D() {
    this(DataFormat.CHANNELS_LAST, false, null);
  }

  /** {@code GlobalMaxPooling2D(keepdims=...)}. */
  public GlobalMaxPooling2D(boolean keepdims) {
    this(DataFormat.CHANNELS_LAST, keepdims, null);
  }

  @Override
  public String kerasClass() {
    return CLS;
  }

  @Override
  public GlobalMaxPooling2D withName(String newName) {
    return new GlobalMaxPooling2D(dataFormat, keepdims, newName);
  }

  private Spatial geometry() {
    return new Spatial(name, CLS, RANK, Spatial.repeat(1, RANK), Spatial.repeat(1, RANK),
        Spatial.repeat(1, RANK), Padding.VALID, dataFormat);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Spatial s = geometry();
    int c = s.channelsOf(inputShape);
    return keepdims ? s.shape(Spatial.repeat(1, RANK), c) : new int[] {c};
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    outputShape(inputShape);
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    int[] axes = new int[RANK];
    int first = dataFormat == DataFormat.CHANNELS_LAST ? 1 : 2;
    for (int i = 0; i < RANK; i++) {
      axes[i] = first + i;
    }
    return MAX ? ctx.ops().max(x, axes, keepdims) : ctx.ops().mean(x, axes, keepdims);
  }
}
