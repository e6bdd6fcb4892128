package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.io.SavedModel.OptimizerState;
import dev.backplane.io.safetensors.Safetensors;
import dev.backplane.io.safetensors.SafetensorsContent;
import dev.backplane.model.Layer;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Topology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads and writes Backplane's model file, versions 1 and {@value #VERSION}; the layout is
 * documented on {@link ModelFiles}. A file is written as version 1 whenever it can be (a
 * Sequential model without non-trainable variables), so that older readers load it; version 2
 * adds the {@code topology} of functional models and the non-trainable variables. Reading validates everything against the architecture before returning:
 * format and version, every JSON field (unknown ones are errors), layer shapes, and that the
 * tensors are exactly the expected parameters and slots with the expected shapes.
 */
final class ModelFileFormat {
  static final String FORMAT = "backplane.model";
  static final String WEIGHTS_FORMAT = "backplane.weights";
  static final int VERSION = 2;
  static final String SLOT_PREFIX = "optimizer/";
  private static final Set<String> METADATA_KEYS = Set.of("format", "format_version",
      "model_config", "training_config", "optimizer_iterations");

  private ModelFileFormat() {}

  static void write(Path file, SavedModel model) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    boolean v2 = model.config().isFunctional() || !model.variables().isEmpty();
    meta.put("format_version", v2 ? Integer.toString(VERSION) : "1");
    meta.put("model_config", SafeJson.write(encodeConfig(model.config())));
    model.training().ifPresent(t -> meta.put("training_config",
        SafeJson.write(TrainingCodec.encode(t))));
    List<NamedArray> arrays = new ArrayList<>(model.parameters());
    arrays.addAll(model.variables());
    model.optimizerState().ifPresent(o -> {
      meta.put("optimizer_iterations", Long.toString(o.iterations()));
      for (NamedArray slot : o.slots()) {
        arrays.add(new NamedArray(SLOT_PREFIX + slot.name(), slot.shape(), slot.values()));
      }
    });
    Safetensors.write(file, arrays, meta);
  }

  static void writeWeights(Path file, List<NamedArray> parameters) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", WEIGHTS_FORMAT);
    meta.put("format_version", "1");
    Safetensors.write(file, parameters, meta);
  }

  private static ObjectNode encodeConfig(ModelConfig config) {
    ObjectNode root = SafeJson.mapper().createObjectNode();
    root.put("name", config.name());
    if (!config.isFunctional()) {
      ArrayNode shape = root.putArray("input_shape");
      Arrays.stream(config.inputShape()).forEach(shape::add);
    }
    config.seed().ifPresent(s -> root.put("seed", s));
    ArrayNode layers = root.putArray("layers");
    for (Layer layer : config.layers()) {
      layers.add(LayerCodec.encode(layer));
    }
    if (config.isFunctional()) {
      root.set("topology", encodeTopology(config));
    }
    return root;
  }

  /**
   * {@code {"input_shapes": [[4], [3]], "calls": [{"layer": "dense", "inputs": [0]}, ..],
   * "output": 5}}: values are numbered inputs first, then each call's output in order.
   */
  private static ObjectNode encodeTopology(ModelConfig config) {
    Topology t = config.topology();
    ObjectNode node = SafeJson.mapper().createObjectNode();
    ArrayNode inputs = node.putArray("input_shapes");
    for (int[] s : t.inputShapes()) {
      ArrayNode shape = inputs.addArray();
      Arrays.stream(s).forEach(shape::add);
    }
    ArrayNode calls = node.putArray("calls");
    for (Topology.Call c : t.calls()) {
      ObjectNode call = calls.addObject();
      call.put("layer", config.layers().get(c.layer()).name());
      ArrayNode in = call.putArray("inputs");
      c.inputs().forEach(in::add);
    }
    node.put("output", t.output());
    return node;
  }

  static SavedModel read(Path file) {
    return ModelFileException.guard(file, () -> readUnguarded(file));
  }

  private static SavedModel readUnguarded(Path file) {
    SafetensorsContent content = Safetensors.read(file);
    Map<String, String> meta = content.metadata();
    for (String key : meta.keySet()) {
      if (!METADATA_KEYS.contains(key)) {
        throw new ModelFileException(file, "unknown metadata entry '" + key + "'; a version "
            + VERSION + " model file has only " + Messages.list(METADATA_KEYS));
      }
    }
    int version = checkFormat(file, meta, FORMAT);
    ModelConfig config = decodeConfig(file, required(file, meta, "model_config"), version);
    Map<String, int[]> expected = expectedParameters(file, config);
    Map<String, int[]> expectedVariables = expectedVariables(file, config);
    Optional<TrainingConfig> training = Optional.ofNullable(meta.get("training_config"))
        .map(json -> TrainingCodec.decode(JsonFields.of(file, "training_config",
            SafeJson.parse(file, "training_config", json))));
    Map<String, NamedArray> arrays = byName(content.arrays());
    List<NamedArray> parameters = take(file, arrays, expected, "", "parameter");
    List<NamedArray> variables = take(file, arrays, expectedVariables, "",
        "non-trainable variable");
    Optional<OptimizerState> optimizer = Optional.empty();
    String iterations = meta.get("optimizer_iterations");
    if (iterations != null) {
      if (training.isEmpty()) {
        throw new ModelFileException(file, "the file has an optimizer state but no"
            + " training_config");
      }
      Map<String, int[]> slotShapes = new LinkedHashMap<>();
      expected.forEach((name, shape) -> training.get().optimizer().slotNames()
          .forEach(slot -> slotShapes.put(name + "/" + slot, shape)));
      List<NamedArray> slots = take(file, arrays, slotShapes, SLOT_PREFIX, "optimizer slot");
      optimizer = Optional.of(new OptimizerState(slots, parseIterations(file, iterations)));
    }
    if (!arrays.isEmpty()) {
      throw new ModelFileException(file, "unexpected tensors " + Messages.list(arrays.keySet()) + " that the"
          + " architecture" + (iterations == null ? " (saved without optimizer state)" : "")
          + " does not have; expected " + names(expected));
    }
    return new SavedModel(config, training, parameters, variables, optimizer);
  }

  /** Reads a weights-only file (or the weights of a model file) for this architecture. */
  static List<NamedArray> readWeights(Path file, ModelConfig config) {
    return ModelFileException.guard(file, () -> readWeightsUnguarded(file, config));
  }

  private static List<NamedArray> readWeightsUnguarded(Path file, ModelConfig config) {
    SafetensorsContent content = Safetensors.read(file);
    String format = content.metadata().get("format");
    if (FORMAT.equals(format)) {
      List<NamedArray> saved = read(file).parameters();
      Map<String, NamedArray> byName = byName(saved);
      Map<String, int[]> expected = expectedParameters(file, config);
      if (!byName.keySet().equals(expected.keySet())) {
        return saved; // the model reports the mismatch
      }
      List<NamedArray> ordered = new ArrayList<>(saved.size());
      expected.keySet().forEach(k -> ordered.add(byName.get(k)));
      return ordered;
    }
    checkFormat(file, content.metadata(), WEIGHTS_FORMAT);
    Map<String, int[]> expected = expectedParameters(file, config);
    Map<String, NamedArray> arrays = byName(content.arrays());
    List<NamedArray> parameters = take(file, arrays, expected, "", "parameter");
    if (!arrays.isEmpty()) {
      throw new ModelFileException(file, "unexpected tensors " + Messages.list(arrays.keySet())
          + "; the model expects " + names(expected));
    }
    return parameters;
  }

  /** Checks format and version; returns the version. */
  private static int checkFormat(Path file, Map<String, String> meta, String format) {
    String found = meta.get("format");
    if (found == null) {
      throw new ModelFileException(file, "not a Backplane " + (format.equals(FORMAT) ? "model"
          : "weights") + " file: its safetensors metadata has no 'format' entry");
    }
    if (!found.equals(format)) {
      throw new ModelFileException(file, "is a '" + found + "' file, expected '" + format + "'"
          + (found.equals(WEIGHTS_FORMAT) ? "; load weights-only files with"
              + " ModelFiles.loadWeights(model, path)" : ""));
    }
    String version = required(file, meta, "format_version");
    for (int v = 1; v <= VERSION; v++) {
      if (version.equals(Integer.toString(v))) {
        return v;
      }
    }
    throw new ModelFileException(file, "format_version '" + version + "' is not supported;"
        + " this Backplane reads versions 1 to " + VERSION
        + (version.matches("[0-9]{1,9}") && Integer.parseInt(version) > VERSION
            ? " (the file was written by a newer Backplane)" : ""));
  }

  private static String required(Path file, Map<String, String> meta, String key) {
    String v = meta.get(key);
    if (v == null) {
      throw new ModelFileException(file, "metadata entry '" + key + "' is missing");
    }
    return v;
  }

  private static long parseIterations(Path file, String text) {
    try {
      long n = Long.parseLong(text);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ModelFileException(file, "optimizer_iterations must be a non-negative integer but"
        + " is '" + text + "'");
  }

  private static ModelConfig decodeConfig(Path file, String json, int version) {
    JsonNode node = SafeJson.parse(file, "model_config", json);
    JsonFields root = JsonFields.of(file, "model_config", node)
        .allowOnly(version >= 2 ? Set.of("name", "input_shape", "seed", "layers", "topology")
            : Set.of("name", "input_shape", "seed", "layers"));
    String name = root.text("name");
    OptionalLong seed = root.has("seed")
        ? OptionalLong.of(root.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE))
        : OptionalLong.empty();
    if (root.has("topology")) {
      if (root.has("input_shape")) {
        throw root.error("has both input_shape and topology; a functional model's input shapes"
            + " are in topology.input_shapes");
      }
      List<Layer> layers = LayerCodec.decodeAll(root);
      Topology topology = decodeTopology(root.object("topology", "model_config topology"),
          layers);
      try {
        return new ModelConfig(name, topology, layers, seed);
      } catch (IllegalArgumentException e) {
        throw root.error(e.getMessage());
      }
    }
    int[] inputShape = root.dims(root.array("input_shape"), "input_shape");
    if (inputShape.length == 0) {
      throw root.error("input_shape must have at least one dimension");
    }
    List<Layer> layers = LayerCodec.decodeAll(root);
    try {
      return new ModelConfig(name, inputShape, layers, seed);
    } catch (IllegalArgumentException e) {
      throw root.error(e.getMessage());
    }
  }

  private static Topology decodeTopology(JsonFields t, List<Layer> layers) {
    t.allowOnly(Set.of("input_shapes", "calls", "output"));
    JsonNode inputs = t.array("input_shapes");
    if (inputs.isEmpty()) {
      throw t.error("input_shapes is empty; a model needs at least one input");
    }
    if (inputs.size() > ModelConfig.MAX_INPUTS) {
      throw t.error("the model has " + inputs.size() + " inputs, more than the "
          + ModelConfig.MAX_INPUTS + " a model file may hold");
    }
    List<int[]> shapes = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      int[] shape = t.dims(inputs.get(i), "input_shapes[" + i + "]");
      if (shape.length == 0) {
        throw t.error("input_shapes[" + i + "] must have at least one dimension");
      }
      shapes.add(shape);
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      index.put(layers.get(i).name(), i);
    }
    JsonNode calls = t.array("calls");
    if (calls.size() > ModelConfig.MAX_CALLS) {
      throw t.error("the model has " + calls.size() + " layer calls, more than the "
          + ModelConfig.MAX_CALLS + " a model file may hold");
    }
    List<Topology.Call> out = new ArrayList<>(calls.size());
    long edges = 0;
    int values = shapes.size();
    for (int i = 0; i < calls.size(); i++) {
      JsonFields call = JsonFields.of(t.file(), "topology call " + i, calls.get(i))
          .allowOnly(Set.of("layer", "inputs"));
      String layer = call.text("layer");
      Integer li = index.get(layer);
      if (li == null) {
        throw call.error("calls unknown layer '" + layer + "'");
      }
      JsonNode in = call.array("inputs");
      edges += in.size();
      if (edges > ModelConfig.MAX_EDGES) {
        throw t.error("the layer calls have more than " + ModelConfig.MAX_EDGES + " inputs in"
            + " all, more than a model file may hold");
      }
      List<Integer> ids = new ArrayList<>(in.size());
      for (JsonNode v : in) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0
            || v.intValue() >= values) {
          throw call.error("layer '" + layer + "' reads value " + JsonFields.describe(v)
              + ", which does not exist before it (values 0.." + (values - 1) + " do: the "
              + shapes.size() + " inputs, then one per earlier call); the calls must be in"
              + " topological order without cycles");
        }
        ids.add(v.intValue());
      }
      out.add(new Topology.Call(li, ids));
      values++;
    }
    long output = t.integer("output", 0, values - 1);
    try {
      return new Topology(shapes, out, (int) output);
    } catch (IllegalArgumentException e) {
      throw t.error(e.getMessage());
    }
  }

  private static Map<String, int[]> expectedVariables(Path file, ModelConfig config) {
    try {
      return config.variableShapes();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ModelFileException(file, "the architecture is inconsistent: " + e.getMessage(),
          e);
    }
  }

  private static Map<String, int[]> expectedParameters(Path file, ModelConfig config) {
    try {
      return config.parameterShapes();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ModelFileException(file, "the architecture is inconsistent: " + e.getMessage(),
          e);
    }
  }

  private static Map<String, NamedArray> byName(List<NamedArray> arrays) {
    Map<String, NamedArray> map = new LinkedHashMap<>();
    arrays.forEach(a -> map.put(a.name(), a));
    return map;
  }

  /** Removes and returns the expected arrays in order; a missing or misshapen one is an error. */
  private static List<NamedArray> take(Path file, Map<String, NamedArray> arrays,
      Map<String, int[]> expected, String prefix, String what) {
    List<NamedArray> out = new ArrayList<>(expected.size());
    expected.forEach((name, shape) -> {
      NamedArray a = arrays.remove(prefix + name);
      if (a == null) {
        throw new ModelFileException(file, "missing " + what + " '" + prefix + name + "' "
            + Arrays.toString(shape) + "; the file has " + Messages.list(arrays.keySet()));
      }
      if (!Arrays.equals(a.shape(), shape)) {
        throw new ModelFileException(file, what + " '" + a.name() + "' has shape "
            + Arrays.toString(a.shape()) + " but the architecture needs "
            + Arrays.toString(shape));
      }
      out.add(new NamedArray(name, a.shape(), a.values()));
    });
    return out;
  }

  private static String names(Map<String, int[]> arrays) {
    return Messages.list(arrays.keySet());
  }
}
