package dev.backplane.conformance;

import dev.backplane.model.Layer;
import dev.backplane.model.ParameterSpec;
import java.util.List;

/**
 * A layer no backend can know: an application's own {@link Layer} implementation. A conforming
 * backend rejects it at compile time with an {@link dev.backplane.UnsupportedFeatureException}
 * naming the layer, instead of computing something else.
 *
 * @param name the layer name
 */
record MysteryLayer(String name) implements Layer {
  /** Keras class name of the layer. */
  static final String KERAS_CLASS = "ConformanceMystery";

  @Override
  public String kerasClass() {
    return KERAS_CLASS;
  }

  @Override
  public Layer withName(String newName) {
    return new MysteryLayer(newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }
}
