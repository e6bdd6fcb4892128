package dev.backplane.model;

/** Helpers on layers. */
public final class Layers {
  private Layers() {}

  /**
   * {@code layer} with Keras's {@code trainable = False}: its weights are not trained and
   * BatchNormalization inside runs in inference mode. See {@link Frozen}.
   */
  public static Layer frozen(Layer layer) {
    return new Frozen(layer);
  }

  /** The layer inside a {@link Frozen} wrapper, or the layer itself. */
  public static Layer unwrap(Layer layer) {
    return layer instanceof Frozen f ? f.layer() : layer;
  }

  /** Whether the layer's weights are trained (false for a {@link Frozen} layer). */
  public static boolean trainable(Layer layer) {
    return !(layer instanceof Frozen);
  }
}
