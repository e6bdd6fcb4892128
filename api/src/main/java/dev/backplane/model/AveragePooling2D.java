package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code AveragePooling2D}: the mean of each window. Defaults as in Keras:
 * {@code pool_size (2, 2)}, strides equal to the pool size, {@code padding='valid'},
 * {@code channels_last}. Under {@code same}, padded cells are left out of the divisor (TF semantics).
 *
 * @param poolSize the window, (ph, pw); one value is used for both axes
 * @param strides the step; {@code null} means the pool size
 * @param padding {@code valid} or {@code same}
 * @param dataFormat where the channel axis lies
 * @param name the layer name, or {@code null} for an automatic one
 */
public record AveragePooling2D(int[] poolSize, int[] strides, Padding padding, DataFormat dataFormat,
    String name) implements Layer {
  private static final int RANK = 2;
  private static final String CLS = "AveragePooling2D";
  private static final boolean MAX = false;

  /** Validates and copies the configuration. */
  public AveragePooling2D {
    poolSize = Spatial.positive(CLS, "pool_size", poolSize, RANK);
    strides = Spatial.positive(CLS, "strides", strides == null ? poolSize : strides, RANK);
    PoolCore.validate(CLS, padding, dataFormat);
  }

  /** {@code AveragePooling2D()}: a (2, 2) window. */
  public AveragePooling2D() {
    this(2);
  }

  /** {@code AveragePooling2D(pool_size)}. */
  public AveragePooling2D(int poolSize) {
    this(new int[] {poolSize}, null, Padding.VALID, DataFormat.CHANNELS_LAST, null);
  }

  /** {@code AveragePooling2D(pool_size, strides, padding)}. */
  public AveragePooling2D(int poolSize, int strides, String padding) {
    this(new int[] {poolSize}, new int[] {strides}, Padding.of(padding), DataFormat.CHANNELS_LAST,
        null);
  }

  /** A copy with this data format. */
  public AveragePooling2D withDataFormat(String f) {
    return new AveragePooling2D(poolSize, strides, padding, DataFormat.of(f), name);
  }

  @Override
  public int[] poolSize() {
    return poolSize.clone();
  }

  @Override
  public int[] strides() {
    return strides.clone();
  }

  @Override
  public String kerasClass() {
    return CLS;
  }

  @Override
  public AveragePooling2D withName(String newName) {
    return new AveragePooling2D(poolSize, strides, padding, dataFormat, newName);
  }

  private Spatial geometry() {
    return PoolCore.geometry(name, CLS, RANK, poolSize, strides, padding, dataFormat);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return PoolCore.outputShape(geometry(), inputShape);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    outputShape(inputShape);
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    return PoolCore.call(ctx, geometry(), x, MAX);
  }
}
