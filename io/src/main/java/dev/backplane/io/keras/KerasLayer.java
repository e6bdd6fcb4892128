package dev.backplane.io.keras;

import dev.backplane.model.Layer;

/**
 * One imported Keras layer: its Keras class and name as in the file, and the api layer it maps
 * to (named like the Keras layer).
 *
 * @param kerasClass e.g. {@code "LeakyReLU"}
 * @param name the Keras layer name, e.g. {@code "leaky_re_lu"}
 * @param layer the equivalent api layer
 */
record KerasLayer(String kerasClass, String name, Layer layer) {
  /** {@code layer 'dense_1' (Dense)}, for messages. */
  String describe() {
    return "layer '" + name + "' (" + kerasClass + ")";
  }
}
