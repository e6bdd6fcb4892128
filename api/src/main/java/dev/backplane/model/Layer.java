package dev.backplane.model;

import java.util.List;

/**
 * A layer of a {@link Sequential} model: immutable configuration only. Weights live in the
 * compiled executable and in {@link dev.backplane.spi.ModelState}; computation lives in backends,
 * which recognise the layer types they support and reject the others at compile time.
 */
public interface Layer {
  /** The layer's name, unique in its model; {@code null} until the model assigns one. */
  String name();

  /** Keras's class name, e.g. {@code "Dense"}; used in summaries, errors and saved files. */
  String kerasClass();

  /** A copy of this layer with the given name. */
  Layer withName(String name);

  /**
   * The output shape per sample for this input shape per sample (both without the batch axis).
   *
   * @throws IllegalArgumentException naming the layer when the input shape does not fit
   */
  int[] outputShape(int[] inputShape);

  /**
   * The layer's trainable parameters for this input shape, in a fixed order (Keras's: kernel,
   * then bias). Empty for layers without weights.
   */
  List<ParameterSpec> parameters(int[] inputShape);
}
