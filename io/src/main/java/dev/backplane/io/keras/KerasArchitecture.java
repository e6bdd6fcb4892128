package dev.backplane.io.keras;

import dev.backplane.spi.Topology;
import java.util.List;

/**
 * A Keras model's architecture after mapping: name, per-sample input shape, the layers
 * (InputLayers removed), each with its shapes already checked, and for a functional model the
 * wiring.
 *
 * @param name the model name
 * @param inputShape per-sample input shape (packed, for several inputs)
 * @param layers the mapped layers in the file's order
 * @param topology the functional model's wiring, or {@code null} for a Sequential model
 */
record KerasArchitecture(String name, int[] inputShape, List<KerasLayer> layers,
    Topology topology) {
  KerasArchitecture {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
  }

  /** A Sequential model. */
  KerasArchitecture(String name, int[] inputShape, List<KerasLayer> layers) {
    this(name, inputShape, layers, null);
  }
}
