package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.io.SavedModel.OptimizerState;
import dev.backplane.io.safetensors.Safetensors;
import dev.backplane.io.safetensors.SafetensorsContent;
import dev.backplane.model.Layer;
import dev.backplane.spi.NamedArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads and writes Backplane's model file, version {@value #VERSION}; the layout is documented on
 * {@link ModelFiles}. Reading validates everything against the architecture before returning:
 * format and version, every JSON field (unknown ones are errors), layer shapes, and that the
 * tensors are exactly the expected parameters and slots with the expected shapes.
 */
final class ModelFileFormat {
  static final String FORMAT = "backplane.model";
  static final String WEIGHTS_FORMAT = "backplane.weights";
  static final int VERSION = 1;
  static final String SLOT_PREFIX = "optimizer/";
  private static final Set<String> METADATA_KEYS = Set.of("format", "format_version",
      "model_config", "training_config", "optimizer_iterations");

  private ModelFileFormat() {}

  static void write(Path file, SavedModel model) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("format_version", Integer.toString(VERSION));
    meta.put("model_config", SafeJson.write(encodeConfig(model.config())));
    model.training().ifPresent(t -> meta.put("training_config",
        SafeJson.write(TrainingCodec.encode(t))));
    List<NamedArray> arrays = new ArrayList<>(model.parameters());
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
    meta.put("format_version", Integer.toString(VERSION));
    Safetensors.write(file, parameters, meta);
  }

  private static ObjectNode encodeConfig(ModelConfig config) {
    ObjectNode root = SafeJson.mapper().createObjectNode();
    root.put("name", config.name());
    ArrayNode shape = root.putArray("input_shape");
    Arrays.stream(config.inputShape()).forEach(shape::add);
    config.seed().ifPresent(s -> root.put("seed", s));
    ArrayNode layers = root.putArray("layers");
    for (Layer layer : config.layers()) {
      layers.add(LayerCodec.encode(layer));
    }
    return root;
  }

  static SavedModel read(Path file) {
    SafetensorsContent content = Safetensors.read(file);
    Map<String, String> meta = content.metadata();
    checkFormat(file, meta, FORMAT);
    for (String key : meta.keySet()) {
      if (!METADATA_KEYS.contains(key)) {
        throw new ModelFileException(file, "unknown metadata entry '" + key + "'; a version "
            + VERSION + " model file has only " + METADATA_KEYS);
      }
    }
    ModelConfig config = decodeConfig(file, required(file, meta, "model_config"));
    Map<String, int[]> expected = expectedParameters(file, config);
    Optional<TrainingConfig> training = Optional.ofNullable(meta.get("training_config"))
        .map(json -> TrainingCodec.decode(JsonFields.of(file, "training_config",
            SafeJson.parse(file, "training_config", json))));
    Map<String, NamedArray> arrays = byName(content.arrays());
    List<NamedArray> parameters = take(file, arrays, expected, "", "parameter");
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
      throw new ModelFileException(file, "unexpected tensors " + arrays.keySet() + " that the"
          + " architecture" + (iterations == null ? " (saved without optimizer state)" : "")
          + " does not have; expected " + names(expected));
    }
    return new SavedModel(config, training, parameters, optimizer);
  }

  /** Reads a weights-only file (or the weights of a model file) for this architecture. */
  static List<NamedArray> readWeights(Path file, ModelConfig config) {
    SafetensorsContent content = Safetensors.read(file);
    String format = content.metadata().get("format");
    if (FORMAT.equals(format)) {
      return read(file).parameters();
    }
    checkFormat(file, content.metadata(), WEIGHTS_FORMAT);
    Map<String, int[]> expected = expectedParameters(file, config);
    Map<String, NamedArray> arrays = byName(content.arrays());
    List<NamedArray> parameters = take(file, arrays, expected, "", "parameter");
    if (!arrays.isEmpty()) {
      throw new ModelFileException(file, "unexpected tensors " + arrays.keySet()
          + "; the model expects " + names(expected));
    }
    return parameters;
  }

  private static void checkFormat(Path file, Map<String, String> meta, String format) {
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
    if (!version.equals(Integer.toString(VERSION))) {
      throw new ModelFileException(file, "format_version '" + version + "' is not supported;"
          + " this Backplane reads version " + VERSION
          + (version.matches("[0-9]{1,9}") && Integer.parseInt(version) > VERSION
              ? " (the file was written by a newer Backplane)" : ""));
    }
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

  private static ModelConfig decodeConfig(Path file, String json) {
    JsonNode node = SafeJson.parse(file, "model_config", json);
    JsonFields root = JsonFields.of(file, "model_config", node)
        .allowOnly(Set.of("name", "input_shape", "seed", "layers"));
    String name = root.text("name");
    int[] inputShape = root.dims(root.array("input_shape"), "input_shape");
    if (inputShape.length == 0) {
      throw root.error("input_shape must have at least one dimension");
    }
    OptionalLong seed = root.has("seed")
        ? OptionalLong.of(root.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE))
        : OptionalLong.empty();
    List<Layer> layers = LayerCodec.decodeAll(root);
    try {
      return new ModelConfig(name, inputShape, layers, seed);
    } catch (IllegalArgumentException e) {
      throw root.error(e.getMessage());
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
            + Arrays.toString(shape) + "; the file has " + arrays.keySet());
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

  private static List<String> names(Map<String, int[]> arrays) {
    return List.copyOf(arrays.keySet());
  }
}
