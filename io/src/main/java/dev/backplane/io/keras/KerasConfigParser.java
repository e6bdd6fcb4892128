package dev.backplane.io.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.io.JsonFields;
import dev.backplane.io.ModelFileException;
import dev.backplane.model.Layer;
import dev.backplane.model.Shapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses a Keras Sequential model config into a {@link KerasArchitecture}. Accepted forms:
 *
 * <ul>
 *   <li>Keras &ge; 2.2 and Keras 3: {@code {"class_name": "Sequential", "config": {"name": ..,
 *       "layers": [..]}}} (Keras 3 adds {@code module}, {@code registered_name},
 *       {@code build_input_shape}, and per layer {@code build_config});
 *   <li>Keras 2.0/2.1: {@code {"class_name": "Sequential", "config": [..layers..]}}.
 * </ul>
 *
 * <p>Each layer is {@code {"class_name": .., "config": {"name": .., ..}}}. The per-sample input
 * shape comes from, in order: an {@code InputLayer}'s {@code batch_input_shape} (Keras 2) or
 * {@code batch_shape} (Keras 3); the first layer's {@code batch_input_shape} (Keras 2 with
 * {@code input_shape=}); the model's {@code build_input_shape}; the first layer's
 * {@code build_config.input_shape} (Keras 3). The batch axis is dropped; every other axis must
 * be fixed.
 */
final class KerasConfigParser {
  private KerasConfigParser() {}

  static KerasArchitecture parse(Path file, JsonNode root, List<String> notes) {
    JsonFields model = JsonFields.of(file, "Keras model config", root);
    String cls = model.text("class_name");
    if (cls.equals("Functional") || cls.equals("Model")) {
      checkBuiltInModel(model, cls);
      return KerasFunctionalParser.parse(file, model, cls, notes);
    }
    if (!cls.equals("Sequential")) {
      throw model.error("model class '" + cls + "' is not supported; Sequential and functional"
          + " (Functional / Model) models can be imported, not subclassed ones");
    }
    JsonNode config = model.require("config");
    String name = "sequential";
    JsonNode layers;
    JsonNode buildInputShape = null;
    if (config.isArray()) {
      layers = config; // Keras 2.0 / 2.1
    } else {
      JsonFields c = JsonFields.of(file, "Sequential config", config);
      name = c.text("name", name);
      layers = c.array("layers");
      buildInputShape = c.get("build_input_shape");
    }
    if (buildInputShape == null) {
      buildInputShape = model.node().path("build_config").get("input_shape");
    }
    return layers(file, name, layers, buildInputShape, notes);
  }

  private static KerasArchitecture layers(Path file, String modelName, JsonNode entries,
      JsonNode buildInputShape, List<String> notes) {
    List<JsonFields> configs = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonFields entry = JsonFields.of(file, "Keras layer " + i, entries.get(i));
      String cls = entry.text("class_name");
      checkBuiltIn(entry, cls);
      JsonFields raw = entry.object("config", "Keras layer " + i + " (" + cls + ") config");
      String name = raw.text("name");
      classes.add(cls);
      configs.add(JsonFields.of(file, "layer '" + name + "' (" + cls + ")", raw.node()));
    }
    if (configs.isEmpty() || (configs.size() == 1 && classes.get(0).equals("InputLayer"))) {
      throw new ModelFileException(file, "the Keras model has no layers");
    }
    int start = 0;
    int[] inputShape;
    if (classes.get(0).equals("InputLayer")) {
      inputShape = inputLayerShape(configs.get(0));
      start = 1;
    } else {
      inputShape = inferInputShape(file, configs.get(0), entries.get(0), buildInputShape);
    }
    List<KerasLayer> layers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int[] shape = inputShape;
    for (int i = start; i < configs.size(); i++) {
      JsonFields c = configs.get(i);
      String cls = classes.get(i);
      String name = c.text("name");
      if (cls.equals("InputLayer")) {
        throw c.error("an InputLayer is only supported as the first layer");
      }
      if (!names.add(name)) {
        throw c.error("two layers are named '" + name + "'");
      }
      Layer layer = KerasLayerMapper.map(cls, name, c, shape.length, notes);
      try {
        shape = layer.outputShape(shape);
      } catch (IllegalArgumentException e) {
        throw c.error("cannot take input of shape " + Shapes.withBatch(shape) + ": "
            + e.getMessage());
      }
      layers.add(new KerasLayer(cls, name, layer));
    }
    return new KerasArchitecture(modelName, inputShape, layers);
  }

  private static void checkBuiltInModel(JsonFields model, String cls) {
    String module = model.text("module", "keras");
    if (!module.startsWith("keras")) {
      throw model.error("model class '" + cls + "' from module '" + module + "' is a subclassed"
          + " model; only keras.Sequential and functional models can be imported");
    }
  }

  static void checkBuiltIn(JsonFields entry, String cls) {
    String module = entry.text("module", "keras.layers");
    JsonNode registered = entry.get("registered_name");
    if (!module.startsWith("keras") || (registered != null && !registered.asText().equals(cls))) {
      throw entry.error("layer class '" + cls + "' from module '" + module + "'"
          + (registered != null ? " (registered as '" + registered.asText() + "')" : "")
          + " is a custom layer; only built-in Keras layers can be imported");
    }
  }

  static int[] inputLayerShape(JsonFields c) {
    for (String key : List.of("sparse", "ragged")) {
      if (c.bool(key, false)) {
        throw c.error(key + " inputs are not supported");
      }
    }
    JsonNode shape = c.has("batch_input_shape") ? c.get("batch_input_shape")
        : c.get("batch_shape");
    if (shape == null) {
      throw c.error("has neither batch_input_shape (Keras 2) nor batch_shape (Keras 3)");
    }
    return dropBatch(c, shape);
  }

  private static int[] inferInputShape(Path file, JsonFields first, JsonNode firstEntry,
      JsonNode buildInputShape) {
    if (first.has("batch_input_shape")) {
      return dropBatch(first, first.get("batch_input_shape"));
    }
    if (buildInputShape != null) {
      return dropBatch(first, buildInputShape);
    }
    JsonNode built = firstEntry.path("build_config").get("input_shape");
    if (built != null && !built.isNull()) {
      return dropBatch(first, built);
    }
    throw new ModelFileException(file, "the Keras model has no input shape: no InputLayer, no"
        + " batch_input_shape on its first layer and no build_input_shape (was it saved before"
        + " being built? Give the first layer input_shape=... or add keras.Input)");
  }

  /** {@code [null, 28, 28]} → {@code [28, 28]}; every non-batch axis must be a positive int. */
  private static int[] dropBatch(JsonFields c, JsonNode batchShape) {
    if (!batchShape.isArray() || batchShape.size() < 2) {
      throw c.error("input shape " + JsonFields.describe(batchShape) + " must be a batch shape"
          + " such as [null, 4]");
    }
    int[] shape = new int[batchShape.size() - 1];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = batchShape.get(i + 1);
      if (d.isNull()) {
        throw c.error("input axis " + (i + 1) + " has a variable size (None) in " + batchShape
            + "; Backplane needs fixed per-sample shapes");
      }
      if (!d.isIntegralNumber() || d.longValue() < 1 || d.longValue() > Integer.MAX_VALUE) {
        throw c.error("input shape " + batchShape + " must hold positive integers");
      }
      shape[i] = d.intValue();
    }
    long size = 1;
    for (int d : shape) {
      size *= d;
      if (size > Integer.MAX_VALUE) {
        throw c.error("input shape " + batchShape + " is too large");
      }
    }
    return shape;
  }
}
