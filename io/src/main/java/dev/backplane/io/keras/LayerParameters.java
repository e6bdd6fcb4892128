package dev.backplane.io.keras;

import dev.backplane.model.ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parameters one imported layer needs, in Keras's order (kernel, then bias), with shapes.
 *
 * @param layer the layer
 * @param parameters its parameter specs for its input shape; empty for weightless layers
 */
record LayerParameters(KerasLayer layer, List<ParameterSpec> parameters) {
  LayerParameters {
    parameters = List.copyOf(parameters);
  }

  /** Parameters of every layer of an architecture, following the shapes through the layers. */
  static List<LayerParameters> of(KerasArchitecture architecture) {
    List<LayerParameters> out = new ArrayList<>();
    if (architecture.topology() != null) {
      List<dev.backplane.model.Layer> layers = architecture.layers().stream()
          .map(KerasLayer::layer).toList();
      List<List<int[]>> inputs = architecture.topology().layerInputShapes(layers);
      for (int i = 0; i < layers.size(); i++) {
        out.add(new LayerParameters(architecture.layers().get(i),
            layers.get(i).parameters(inputs.get(i))));
      }
      return out;
    }
    int[] shape = architecture.inputShape();
    for (KerasLayer l : architecture.layers()) {
      out.add(new LayerParameters(l, l.layer().parameters(shape)));
      shape = l.layer().outputShape(shape);
    }
    return out;
  }

  /** {@code kernel (3, 4), bias (4,)}, for messages. */
  String describeNeeds() {
    return parameters.size() + " (" + String.join(", ", parameters.stream()
        .map(p -> p.name() + " " + Arrays.toString(p.shape())).toList()) + ")";
  }
}
