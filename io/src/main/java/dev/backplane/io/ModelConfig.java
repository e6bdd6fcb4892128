package dev.backplane.io;

import dev.backplane.model.Layer;
import dev.backplane.model.ParameterSpec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A model's architecture as stored in a file, independent of the classes that run it: name,
 * per-sample input shape, the named layers in order and, when known, the seed.
 *
 * @param name the model's name
 * @param inputShape per-sample input shape, without the batch axis
 * @param layers the layers, each with a unique, non-null name
 * @param seed the model seed when the file records one (Keras files do not)
 */
public record ModelConfig(String name, int[] inputShape, List<Layer> layers, OptionalLong seed) {
  /** Validates and copies; layer names must be set and unique. */
  public ModelConfig {
    Objects.requireNonNull(name, "name");
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
    Objects.requireNonNull(seed, "seed");
    Set<String> names = new HashSet<>();
    for (Layer layer : layers) {
      if (layer.name() == null || layer.name().isEmpty()) {
        throw new IllegalArgumentException("Every layer needs a name; " + layer.kerasClass()
            + " layer " + layers.indexOf(layer) + " has none");
      }
      if (!names.add(layer.name())) {
        throw new IllegalArgumentException("Two layers are named '" + layer.name() + "'");
      }
    }
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /**
   * The parameters' shapes in state order, keyed {@code <layer>/<param>}; allocates no values.
   * Also checks that every layer accepts its input shape and that every shape is positive and
   * addressable.
   *
   * @throws IllegalArgumentException naming the layer whose input shape does not fit
   */
  public Map<String, int[]> parameterShapes() {
    Map<String, int[]> out = new LinkedHashMap<>();
    int[] shape = inputShape;
    checkShape("the input", shape);
    for (Layer layer : layers) {
      for (ParameterSpec p : layer.parameters(shape)) {
        String name = layer.name() + "/" + p.name();
        checkShape("parameter '" + name + "'", p.shape());
        out.put(name, p.shape());
      }
      shape = layer.outputShape(shape);
      checkShape("the output of layer '" + layer.name() + "'", shape);
    }
    return out;
  }

  private static void checkShape(String what, int[] shape) {
    long size = 1;
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(what + " has shape " + Arrays.toString(shape)
            + "; every dimension must be positive");
      }
      size *= d;
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + " has shape " + Arrays.toString(shape)
            + ", more than " + Integer.MAX_VALUE + " values");
      }
    }
  }

  /** Per-sample output shape. */
  public int[] outputShape() {
    int[] shape = inputShape;
    for (Layer layer : layers) {
      shape = layer.outputShape(shape);
    }
    return shape;
  }
}
