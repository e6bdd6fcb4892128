package dev.backplane.testing;

import dev.backplane.model.Layer;
import dev.backplane.model.ParameterSpec;
import java.util.List;

/**
 * Stands in, in backend tests, for a layer type the backend does not know: a shape-preserving
 * layer named like Keras's {@code Conv2D}, which no backend here implements.
 *
 * @param name the layer name
 */
public record Conv2D(String name) implements Layer {
  @Override
  public String kerasClass() {
    return "Conv2D";
  }

  @Override
  public Layer withName(String newName) {
    return new Conv2D(newName);
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
