package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Concatenate;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Frozen;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.Merge;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Layers to and from Backplane's model JSON: {@code {"class_name": "Dense", "config": {...}}}
 * with Keras's field names. The class name is looked up in a closed list (Dense, Dropout,
 * Activation, Flatten, Add, Subtract, Multiply, Average, Concatenate and the layers of
 * {@link KerasLayerConfigs}: convolutions, pooling, normalization, reshaping, Embedding and the
 * activation layers) and mapped to the api's records, or else in {@link LayerRegistry} for
 * custom layers; nothing named in a file is ever instantiated by reflection. Unknown fields are
 * errors, so no option is silently dropped. A {@link Frozen} layer is its layer's entry with
 * {@code "trainable": false} (Keras's spelling); {@code trainable} is written only then.
 */
final class LayerCodec {
  /** The built-in layer classes this format knows, as written in files. */
  static final List<String> CLASSES = classes();

  private static List<String> classes() {
    List<String> c = new ArrayList<>(List.of("Dense", "Dropout", "Activation", "Flatten",
        "Add", "Subtract", "Multiply", "Average", "Concatenate"));
    c.addAll(KerasLayerConfigs.FIELDS.keySet());
    return List.copyOf(c);
  }

  private LayerCodec() {}

  /**
   * @throws IllegalArgumentException for a layer type this format cannot store
   */
  static ObjectNode encode(Layer layer) {
    if (layer instanceof Frozen f) {
      ObjectNode node = encode(f.layer());
      ((ObjectNode) node.get("config")).put("trainable", false);
      return node;
    }
    ObjectNode node = SafeJson.mapper().createObjectNode();
    ObjectNode config = SafeJson.mapper().createObjectNode();
    config.put("name", layer.name());
    if (KerasLayerConfigs.encode(layer, config)) {
      // written by the shared codec
    } else if (layer instanceof Dense d) {
      config.put("units", d.units());
      config.put("activation", d.activation().kerasName());
      config.put("use_bias", d.useBias());
      config.put("kernel_initializer", d.kernelInitializer().kerasName());
      config.put("bias_initializer", d.biasInitializer().kerasName());
    } else if (layer instanceof Dropout d) {
      config.put("rate", d.rate());
    } else if (layer instanceof ActivationLayer a) {
      config.put("activation", a.activation().kerasName());
    } else if (layer instanceof Concatenate c) {
      config.put("axis", c.axis());
    } else if (!(layer instanceof Flatten) && !(layer instanceof Merge)) {
      return encodeCustom(layer, node, config);
    }
    node.put("class_name", classOf(layer));
    node.set("config", config);
    return node;
  }

  private static ObjectNode encodeCustom(Layer layer, ObjectNode node, ObjectNode config) {
    String cls = layer.kerasClass();
    LayerRegistry.Entry entry = cls == null ? null : LayerRegistry.lookup(cls);
    if (entry == null || CLASSES.contains(cls)) {
      throw new IllegalArgumentException("Cannot save layer '" + layer.name() + "' (" + cls
          + "): it is not a built-in layer (" + CLASSES + ") and its class is not registered;"
          + " " + LayerRegistry.howTo(cls));
    }
    Map<String, ?> options = entry.encoder().encode(layer);
    if (options == null) {
      options = Map.of();
    }
    if (options.containsKey("name")) {
      throw new IllegalArgumentException("The encoder of layer class '" + cls + "' returned the"
          + " reserved key 'name'; the layer's name is saved for it");
    }
    JsonNode tree;
    try {
      tree = SafeJson.mapper().valueToTree(options);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("The encoder of layer class '" + cls + "' returned a"
          + " config that is not JSON-able (use strings, numbers, booleans, lists and maps): "
          + e.getMessage(), e);
    }
    config.setAll((ObjectNode) tree);
    node.put("class_name", cls);
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
    boolean trainable = config.bool("trainable", true);
    if (config.has("trainable")) {
      if (trainable) {
        throw config.error("trainable is written only as false (a frozen layer)");
      }
      ObjectNode copy = ((ObjectNode) c.node()).deepCopy();
      copy.remove("trainable");
      config = JsonFields.of(c.file(), config.where(), copy);
    }
    Layer layer = decodeLayer(entry, cls, name, config);
    return trainable ? layer : Frozen.of(layer);
  }

  private static Layer decodeLayer(JsonFields entry, String cls, String name,
      JsonFields config) {
    if (KerasLayerConfigs.handles(cls)) {
      Set<String> allowed = new java.util.HashSet<>(KerasLayerConfigs.FIELDS.get(cls));
      allowed.add("name");
      config.allowOnly(allowed);
      return KerasLayerConfigs.decode(cls, name, config, KerasLayerConfigs.NAMES);
    }
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
        case "Add", "Subtract", "Multiply", "Average":
          config.allowOnly(Set.of("name"));
          return new Merge(Merge.Kind.valueOf(cls.toUpperCase(Locale.ROOT)), name);
        case "Concatenate":
          config.allowOnly(Set.of("name", "axis"));
          return new Concatenate((int) config.integer("axis", -64, 64), name);
        default:
          return decodeCustom(entry, cls, name, config);
      }
    } catch (IllegalArgumentException e) {
      throw config.error(e.getMessage());
    }
  }

  private static final TypeReference<LinkedHashMap<String, Object>> MAP =
      new TypeReference<>() {};

  private static Layer decodeCustom(JsonFields entry, String cls, String name,
      JsonFields config) {
    LayerRegistry.Entry registered = LayerRegistry.lookup(cls);
    if (registered == null) {
      throw entry.error("unknown layer class '" + cls + "' for layer '" + name + "': it is"
          + " neither built in nor registered; " + LayerRegistry.howTo(cls));
    }
    Map<String, Object> options = SafeJson.mapper().convertValue(config.node(), MAP);
    options.remove("name");
    Layer layer;
    try {
      layer = registered.decoder().decode(name, options);
    } catch (RuntimeException e) {
      throw new ModelFileException(config.file(), config.where() + ": the registered decoder"
          + " of layer class '" + cls + "' rejected the config " + JsonFields.describe(
              config.node()) + ": " + e, e);
    }
    if (layer == null) {
      throw config.error("the registered decoder of layer class '" + cls + "' returned null");
    }
    if (!cls.equals(layer.kerasClass())) {
      throw config.error("the registered decoder of layer class '" + cls + "' built a layer of"
          + " class '" + layer.kerasClass() + "'");
    }
    return name.equals(layer.name()) ? layer : layer.withName(name);
  }

  /** Reads a layer list node. */
  static List<Layer> decodeAll(JsonFields model) {
    JsonNode layers = model.array("layers");
    if (layers.isEmpty()) {
      throw model.error("the model has no layers");
    }
    if (layers.size() > ModelConfig.MAX_LAYERS) {
      throw model.error("the model has " + layers.size() + " layers, more than the "
          + ModelConfig.MAX_LAYERS + " a model file may hold");
    }
    ArrayList<Layer> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      out.add(decode(JsonFields.of(model.file(), "layer " + i, layers.get(i))));
    }
    return out;
  }
}
