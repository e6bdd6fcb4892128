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

  /** {@code Keras layout (...) with kernel_size=...}, for shape messages, or {@code ""}. */
  String layoutOf(ParameterSpec p) {
    String hint = layout(dev.backplane.model.Layers.unwrap(layer.layer()), p.name());
    return hint == null ? "" : "Keras layout " + hint;
  }

  /** Which arguments a weight's shape follows from, with their values. */
  private static String layout(dev.backplane.model.Layer l, String param) {
    if (l instanceof dev.backplane.model.Dense d) {
      return param.equals("kernel") ? "(inputs, units) with units=" + d.units()
          : "(units,) with units=" + d.units();
    }
    if (l instanceof dev.backplane.model.Conv1D c) {
      return conv(param, c.kernelSize(), c.groups(), c.filters());
    }
    if (l instanceof dev.backplane.model.Conv2D c) {
      return conv(param, c.kernelSize(), c.groups(), c.filters());
    }
    if (l instanceof dev.backplane.model.Conv3D c) {
      return conv(param, c.kernelSize(), c.groups(), c.filters());
    }
    if (l instanceof dev.backplane.model.DepthwiseConv2D c) {
      return param.equals("bias") ? "(in_channels * depth_multiplier,) with depth_multiplier="
          + c.depthMultiplier() : "(kh, kw, in_channels, depth_multiplier) with kernel_size="
          + Arrays.toString(c.kernelSize()) + ", depth_multiplier=" + c.depthMultiplier();
    }
    if (l instanceof dev.backplane.model.SeparableConv2D c) {
      switch (param) {
        case "depthwise_kernel":
          return "(kh, kw, in_channels, depth_multiplier) with kernel_size="
              + Arrays.toString(c.kernelSize()) + ", depth_multiplier=" + c.depthMultiplier();
        case "pointwise_kernel":
          return "(1, 1, in_channels * depth_multiplier, filters) with depth_multiplier="
              + c.depthMultiplier() + ", filters=" + c.filters();
        default:
          return "(filters,) with filters=" + c.filters();
      }
    }
    if (l instanceof dev.backplane.model.Conv2DTranspose c) {
      return param.equals("kernel") ? "(kh, kw, filters, in_channels) with kernel_size="
          + Arrays.toString(c.kernelSize()) + ", filters=" + c.filters()
          : "(filters,) with filters=" + c.filters();
    }
    if (l instanceof dev.backplane.model.BatchNormalization b) {
      return "(channels,) of the input's axis " + b.axis();
    }
    if (l instanceof dev.backplane.model.LayerNormalization n) {
      return "the input's sizes on axis " + Arrays.toString(n.axis());
    }
    if (l instanceof dev.backplane.model.Embedding e) {
      return "(input_dim, output_dim) with input_dim=" + e.inputDim() + ", output_dim="
          + e.outputDim();
    }
    if (l instanceof dev.backplane.model.PReLU r) {
      return "the input shape with shared_axes=" + Arrays.toString(r.sharedAxes()) + " of size"
          + " 1";
    }
    return null;
  }

  private static String conv(String param, int[] kernel, int groups, int filters) {
    return param.equals("kernel") ? "(*kernel_size, in_channels / groups, filters) with"
        + " kernel_size=" + Arrays.toString(kernel) + ", groups=" + groups + ", filters="
        + filters : "(filters,) with filters=" + filters;
  }
}
