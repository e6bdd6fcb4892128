package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * A layer: immutable configuration plus how it computes, written once on the op set. Weights
 * live in the compiled executable and in {@link dev.backplane.spi.ModelState}; backends receive
 * the graphs layers build and never see layers.
 *
 * <p>A custom layer implements {@link #parameters}, {@link #outputShape} and
 * {@link #call(LayerContext, Node)} with {@link dev.backplane.ops.Ops}, and runs on every backend
 * with gradients. To load it from a file, register it by name with the io module's layer registry.
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
   * The layer's weights for this input shape, in a fixed order (Keras's: kernel, then bias);
   * non-trainable ones ({@link ParameterSpec#trainable()} false) too. Empty for layers without
   * weights.
   */
  List<ParameterSpec> parameters(int[] inputShape);

  /**
   * Builds the forward computation for a batch {@code x} shaped {@code (None, inputShape...)}.
   *
   * @throws dev.backplane.ops.OpException naming the op and this layer on a shape error
   */
  Node call(LayerContext ctx, Node x);

  /** The number of inputs the layer takes: 1, or more for merge layers. */
  default int inputCount() {
    return 1;
  }

  /**
   * A multi-input layer's output shape; single-input layers use {@link #outputShape(int[])}.
   */
  default int[] outputShape(List<int[]> inputShapes) {
    if (inputShapes.size() != 1) {
      throw new IllegalArgumentException("Layer '" + name() + "' (" + kerasClass()
          + ") takes 1 input but was called on " + inputShapes.size());
    }
    return outputShape(inputShapes.get(0));
  }

  /** A multi-input layer's weights; single-input layers use {@link #parameters(int[])}. */
  default List<ParameterSpec> parameters(List<int[]> inputShapes) {
    return inputShapes.size() == 1 ? parameters(inputShapes.get(0)) : List.of();
  }

  /** A multi-input layer's computation; single-input layers use {@link #call(LayerContext, Node)}. */
  default Node call(LayerContext ctx, List<Node> inputs) {
    if (inputs.size() != 1) {
      throw new IllegalArgumentException("Layer '" + name() + "' (" + kerasClass()
          + ") takes 1 input but was called on " + inputs.size());
    }
    return call(ctx, inputs.get(0));
  }

  /**
   * Calls the layer on symbolic tensors (Keras's {@code layer(x)}): the functional API. A layer
   * called twice shares its weights.
   *
   * @throws IllegalArgumentException naming the layer when the inputs do not fit it
   */
  default KerasTensor apply(KerasTensor... inputs) {
    return KerasTensor.call(this, List.of(inputs));
  }
}
