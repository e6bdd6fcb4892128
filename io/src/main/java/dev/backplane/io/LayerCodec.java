package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Layers to and from Backplane's model JSON: {@code {"class_name": "Dense", "config": {...}}}
 * with Keras's field names. The class name is looked up in a closed list (Dense, Dropout,
 * Activation, Flatten) and mapped to the api's records; nothing named in a file is ever
 * instantiated by reflection. Unknown fields are errors, so no option is silently dropped.
 */
final class LayerCodec {
  /** The layer classes this format knows, as written in files. */
  static final List<String> CLASSES = List.of("Dense", "Dropout", "Activation", "Flatten");

  private LayerCodec() {}

  /**
   * @throws IllegalArgumentException for a layer type this format cannot store
   */
  static ObjectNode encode(Layer layer) {
    ObjectNode node = SafeJson.mapper().createObjectNode();
    ObjectNode config = SafeJson.mapper().createObjectNode();
    config.put("name", layer.name());
    if (layer instanceof Dense d) {
      config.put("units", d.units());
      config.put("activation", d.activation().kerasName());
      config.put("use_bias", d.useBias());
      config.put("kernel_initializer", d.kernelInitializer().kerasName());
      config.put("bias_initializer", d.biasInitializer().kerasName());
    } else if (layer instanceof Dropout d) {
      config.put("rate", d.rate());
    } else if (layer instanceof ActivationLayer a) {
      config.put("activation", a.activation().kerasName());
    } else if (!(layer instanceof Flatten)) {
      throw new IllegalArgumentException("Cannot save layer '" + layer.name() + "' ("
          + layer.kerasClass() + "): the model file format stores " + CLASSES + " only");
    }
    node.put("class_name", classOf(layer));
    node.set("config", config);
    return node;
  }

  private static String classOf(Layer layer) {
    if (layer instanceof ActivationLayer) {
      return "Activation";
    }
    return layer.kerasClass();
  }

  /** Decodes one layer entry of {@code model_config.layers}. */
  static Layer decode(JsonFields entry) {
    entry.allowOnly(Set.of("class_name", "config"));
    String cls = entry.text("class_name");
    JsonFields c = entry.object("config", entry.where() + " (" + cls + ") config");
    String name = c.text("name");
    if (name.isEmpty()) {
      throw c.error("layer name is empty");
    }
    JsonFields config = JsonFields.of(c.file(), "layer '" + name + "' (" + cls + ")", c.node());
    try {
      switch (cls) {
        case "Dense":
          config.allowOnly(Set.of("name", "units", "activation", "use_bias",
              "kernel_initializer", "bias_initializer"));
          return new Dense((int) config.integer("units", 1, Integer.MAX_VALUE),
              Activation.of(config.text("activation")), config.bool("use_bias", true),
              Initializer.of(config.text("kernel_initializer")),
              Initializer.of(config.text("bias_initializer")), name);
        case "Dropout":
          config.allowOnly(Set.of("name", "rate"));
          return new Dropout(config.number("rate"), name);
        case "Activation":
          config.allowOnly(Set.of("name", "activation"));
          return new ActivationLayer(Activation.of(config.text("activation")), name);
        case "Flatten":
          config.allowOnly(Set.of("name"));
          return new Flatten(name);
        default:
          throw entry.error("unknown layer class '" + cls + "' for layer '" + name
              + "'; this format knows " + CLASSES);
      }
    } catch (IllegalArgumentException e) {
      throw config.error(e.getMessage());
    }
  }

  /** Reads a layer list node. */
  static List<Layer> decodeAll(JsonFields model) {
    JsonNode layers = model.array("layers");
    if (layers.isEmpty()) {
      throw model.error("the model has no layers");
    }
    ArrayList<Layer> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      out.add(decode(JsonFields.of(model.file(), "layer " + i, layers.get(i))));
    }
    return out;
  }
}
