package dev.backplane.model;

import java.util.List;

/** Keras's {@code Input}: a model input of the functional API. */
public final class Input {
  private Input() {}

  /**
   * {@code keras.Input(shape=...)}: a symbolic input with this per-sample shape.
   *
   * @throws IllegalArgumentException for an empty shape or a dimension below 1
   */
  public static KerasTensor of(int... shape) {
    return named(null, shape);
  }

  /** A named input. */
  public static KerasTensor named(String name, int... shape) {
    if (shape == null || shape.length == 0) {
      throw new IllegalArgumentException("Input needs a shape, e.g. Input.of(20)");
    }
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException("Input shape " + Shapes.tuple(shape)
            + " has a dimension < 1");
      }
    }
    return new KerasTensor(shape, null, List.of(), name);
  }
}
