package dev.backplane.io.keras;

import java.util.List;

/**
 * A Keras Sequential model's architecture after mapping: name, per-sample input shape and the
 * layers (InputLayer removed), each with its shapes already checked.
 *
 * @param name the model name
 * @param inputShape per-sample input shape
 * @param layers the mapped layers in order
 */
record KerasArchitecture(String name, int[] inputShape, List<KerasLayer> layers) {
  KerasArchitecture {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
  }
}
