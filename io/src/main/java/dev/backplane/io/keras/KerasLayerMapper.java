package dev.backplane.io.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.io.JsonFields;
import dev.backplane.io.KerasLayerConfigs;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Concatenate;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Frozen;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.ELU;
import dev.backplane.model.LeakyReLU;
import dev.backplane.model.Merge;
import dev.backplane.model.ReLU;
import dev.backplane.model.Softmax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps one Keras layer config to the api layer that computes exactly the same function, by a
 * closed list of Keras class names ({@link #SUPPORTED}: the core layers and those of
 * {@link KerasLayerConfigs}, read with Keras 2's spellings too, e.g. LeakyReLU's {@code alpha});
 * anything else fails with a message naming the Keras class and the layer. Options that would
 * change the computation (regularizers, constraints, another dtype, an activation the api does
 * not define, Conv2DTranspose's {@code output_padding}, BatchNormalization's {@code renorm},
 * LayerNormalization's {@code rms_scaling}, bilinear UpSampling2D, Embedding's
 * {@code mask_zero}) fail too, naming the layer and the argument, rather than being dropped.
 * {@code trainable: false} maps to {@link Frozen}. Options that cannot change the result are accepted and documented here:
 * {@code name}, {@code dtype} float32, initializers (the file's weights
 * replace the initial ones; an initializer the api lacks maps to Keras's default), Dropout's
 * {@code seed} (Backplane derives masks from the model seed), and any other option whose value is
 * {@code null}.
 */
final class KerasLayerMapper {
  /** The Keras layer classes that can be imported. */
  static final List<String> SUPPORTED = supported();

  private static List<String> supported() {
    List<String> s = new ArrayList<>(List.of("InputLayer", "Dense", "Dropout", "Activation",
        "Flatten", "Add", "Subtract", "Multiply", "Average", "Concatenate"));
    s.addAll(KerasLayerConfigs.FIELDS.keySet());
    return List.copyOf(s);
  }

  private static final Set<String> COMMON = Set.of("name", "trainable", "dtype",
      "batch_input_shape", "batch_shape", "input_shape");
  private static final Map<String, Initializer> INITIALIZERS = Map.of(
      "GlorotUniform", Initializer.GLOROT_UNIFORM, "glorot_uniform", Initializer.GLOROT_UNIFORM,
      "HeUniform", Initializer.HE_UNIFORM, "he_uniform", Initializer.HE_UNIFORM,
      "LecunUniform", Initializer.LECUN_UNIFORM, "lecun_uniform", Initializer.LECUN_UNIFORM,
      "Zeros", Initializer.ZEROS, "zeros", Initializer.ZEROS,
      "Ones", Initializer.ONES, "ones", Initializer.ONES);
  private static final double SLOPE_TOLERANCE = 1e-6;

  private KerasLayerMapper() {}

  /**
   * @param c the layer's {@code config} object, described as {@code layer 'x' (Class)}
   * @param inputRank per-sample rank of the layer's input (for axis checks)
   * @param notes receives remarks about accepted-but-ignored options
   */
  static Layer map(String cls, String name, JsonFields c, int inputRank, List<String> notes) {
    common(c);
    Layer layer = mapLayer(cls, name, c, inputRank, notes);
    // Keras's trainable=False: the same function, with weights the optimizer leaves alone.
    return c.bool("trainable", true) ? layer : Frozen.of(layer);
  }

  private static Layer mapLayer(String cls, String name, JsonFields c, int inputRank,
      List<String> notes) {
    if (KerasLayerConfigs.handles(cls)) {
      Layer layer = shared(cls, name, c, notes);
      Activation same = sameActivation(layer, inputRank);
      return same == null ? layer : new ActivationLayer(same, name);
    }
    switch (cls) {
      case "Dense":
        return dense(name, c, notes);
      case "Dropout":
        only(c, "rate", "noise_shape", "seed");
        if (c.has("noise_shape")) {
          throw c.error("noise_shape " + c.get("noise_shape") + " is not supported");
        }
        return wrap(c, () -> new Dropout(c.number("rate"), name));
      case "Activation":
        only(c, "activation");
        return new ActivationLayer(activation(c, c.require("activation")), name);
      case "Flatten":
        only(c, "data_format");
        String format = c.text("data_format", "channels_last");
        if (!format.equals("channels_last") && !(format.equals("channels_first")
            && inputRank <= 1)) {
          throw c.error("data_format '" + format + "' on a rank-" + inputRank + " input is not"
              + " supported; Backplane flattens channels_last (row-major)");
        }
        return new Flatten(name);
      case "Add":
        only(c);
        return new Merge(Merge.Kind.ADD, name);
      case "Subtract":
        only(c);
        return new Merge(Merge.Kind.SUBTRACT, name);
      case "Multiply":
        only(c);
        return new Merge(Merge.Kind.MULTIPLY, name);
      case "Average":
        only(c);
        return new Merge(Merge.Kind.AVERAGE, name);
      case "Concatenate":
        only(c, "axis");
        return new Concatenate(c.has("axis") ? (int) c.integer("axis", -64, 64) : -1, name);
      default:
        throw c.error("Keras layer class '" + cls + "' is not supported; Backplane imports "
            + String.join(", ", SUPPORTED));
    }
  }

  /**
   * Options each shared class accepts besides its {@link KerasLayerConfigs#FIELDS}, because
   * they cannot change the function when they have these values (checked in {@link #shared}).
   */
  private static final Map<String, List<String>> EXTRA = Map.ofEntries(
      Map.entry("Conv2DTranspose", List.of("output_padding")),
      Map.entry("BatchNormalization", List.of("moving_mean_initializer",
          "moving_variance_initializer", "synchronized", "renorm", "renorm_clipping",
          "renorm_momentum", "fused", "virtual_batch_size", "adjustment")),
      Map.entry("LayerNormalization", List.of("rms_scaling", "beta_initializer",
          "gamma_initializer")),
      Map.entry("UpSampling2D", List.of("interpolation")),
      Map.entry("ZeroPadding1D", List.of("data_format")),
      Map.entry("Embedding", List.of("input_length", "sparse", "quantization_config")),
      Map.entry("LeakyReLU", List.of("alpha")));

  private static Layer shared(String cls, String name, JsonFields c, List<String> notes) {
    List<String> keys = new ArrayList<>(KerasLayerConfigs.FIELDS.get(cls));
    keys.addAll(EXTRA.getOrDefault(cls, List.of()));
    for (String key : c.keys()) {
      if ((key.endsWith("_regularizer") || key.endsWith("_constraint")) && c.has(key)) {
        throw c.error(key + " " + JsonFields.describe(c.get(key)) + " is not supported;"
            + " Backplane would train without it. Remove it in Keras and re-save (it does not"
            + " affect predictions)");
      }
      if (key.endsWith("_regularizer") || key.endsWith("_constraint")) {
        keys.add(key);
      }
    }
    only(c, keys.toArray(String[]::new));
    switch (cls) {
      case "Conv2DTranspose":
        unsupportedUnless(c, "output_padding", c.get("output_padding") == null, "None");
        break;
      case "BatchNormalization":
        unsupportedUnless(c, "renorm", !c.bool("renorm", false), "False");
        unsupportedUnless(c, "virtual_batch_size", !c.has("virtual_batch_size"), "None");
        unsupportedUnless(c, "adjustment", !c.has("adjustment"), "None");
        break;
      case "LayerNormalization":
        unsupportedUnless(c, "rms_scaling", !c.bool("rms_scaling", false), "False");
        break;
      case "UpSampling2D":
        unsupportedUnless(c, "interpolation",
            c.text("interpolation", "nearest").equals("nearest"), "'nearest'");
        break;
      case "ZeroPadding1D":
        unsupportedUnless(c, "data_format",
            c.text("data_format", "channels_last").equals("channels_last"), "'channels_last'");
        break;
      case "Embedding":
        unsupportedUnless(c, "sparse", !c.bool("sparse", false), "False");
        unsupportedUnless(c, "mask_zero", !c.bool("mask_zero", false), "False (Backplane has"
            + " no masking)");
        break;
      default:
        break;
    }
    return KerasLayerConfigs.decode(cls, name, c, reader(notes));
  }

  /**
   * The activation an activation layer computes when it is exactly one of the api's activation
   * functions (ReLU(), LeakyReLU(0.2), ELU(1), Softmax over the last axis): imported as an
   * {@link ActivationLayer}, which every backend runs; otherwise {@code null}.
   */
  private static Activation sameActivation(Layer layer, int inputRank) {
    if (layer instanceof ReLU r && r.maxValue() == null && r.negativeSlope() == 0
        && r.threshold() == 0) {
      return Activation.RELU;
    }
    if (layer instanceof LeakyReLU l
        && Math.abs(l.negativeSlope() - Activation.LEAKY_RELU_SLOPE) <= SLOPE_TOLERANCE) {
      return Activation.LEAKY_RELU;
    }
    if (layer instanceof ELU e && Math.abs(e.alpha() - Activation.ELU_ALPHA) <= SLOPE_TOLERANCE) {
      return Activation.ELU;
    }
    if (layer instanceof Softmax s && (s.axis() == -1 || s.axis() == inputRank)) {
      return Activation.SOFTMAX;
    }
    return null;
  }

  private static void unsupportedUnless(JsonFields c, String key, boolean ok, String supported) {
    if (!ok) {
      throw c.error("argument " + key + "=" + JsonFields.describe(c.get(key)) + " is not"
          + " supported; Backplane supports only " + key + "=" + supported);
    }
  }

  private static KerasLayerConfigs.Reader reader(List<String> notes) {
    return new KerasLayerConfigs.Reader() {
      @Override
      public Initializer initializer(JsonFields c, String key, Initializer keras) {
        return KerasLayerMapper.initializer(c, key, keras, notes);
      }

      @Override
      public Activation activation(JsonFields c, String key) {
        return c.has(key) ? KerasLayerMapper.activation(c, c.get(key)) : Activation.LINEAR;
      }
    };
  }

  private static Layer dense(String name, JsonFields c, List<String> notes) {
    only(c, "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
        "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
        "bias_constraint");
    for (String option : List.of("kernel_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "bias_constraint")) {
      if (c.has(option)) {
        throw c.error(option + " " + c.get(option) + " is not supported; Backplane would train"
            + " without it. Remove it in Keras and re-save (it does not affect predictions)");
      }
    }
    int units = (int) c.integer("units", 1, Integer.MAX_VALUE);
    Activation activation = c.has("activation") ? activation(c, c.get("activation"))
        : Activation.LINEAR;
    Initializer kernel = initializer(c, "kernel_initializer", Initializer.GLOROT_UNIFORM, notes);
    Initializer bias = initializer(c, "bias_initializer", Initializer.ZEROS, notes);
    return new Dense(units, activation, c.bool("use_bias", true), kernel, bias, name);
  }

  private static void common(JsonFields c) {
    c.bool("trainable", true);
    JsonNode dtype = c.get("dtype");
    if (dtype != null) {
      String d = dtype.isTextual() ? dtype.textValue()
          : dtype.path("config").path("name").asText(dtype.toString());
      if (!d.equals("float32")) {
        throw c.error("dtype '" + d + "' is not supported; Backplane computes in float32");
      }
    }
  }

  /** Rejects options this layer does not know unless their value is null. */
  private static void only(JsonFields c, String... keys) {
    Set<String> known = new HashSet<>(COMMON);
    known.addAll(List.of(keys));
    for (String key : c.keys()) {
      if (!known.contains(key) && c.has(key)) {
        throw c.error("option '" + key + "' = " + JsonFields.describe(c.get(key))
            + " is not supported");
      }
    }
  }

  /** Reads an activation: a name, or Keras 3's serialized built-in function. */
  static Activation activation(JsonFields c, JsonNode node) {
    String name;
    if (node.isTextual()) {
      name = node.textValue();
    } else if (node.isObject() && node.path("config").isTextual()
        && node.path("module").asText("keras.activations").startsWith("keras")) {
      name = node.path("config").textValue();
    } else {
      throw c.error("activation " + JsonFields.describe(node) + " is not supported; expected a"
          + " built-in activation name");
    }
    try {
      return Activation.of(name);
    } catch (IllegalArgumentException e) {
      throw c.error("activation '" + name + "' is not supported. " + e.getMessage());
    }
  }

  /** Parametrized initializers the api has only with Keras's default arguments. */
  private static final Map<String, Map<String, Double>> INITIALIZER_DEFAULTS = Map.of(
      "random_uniform", Map.of("minval", -0.05, "maxval", 0.05),
      "random_normal", Map.of("mean", 0.0, "stddev", 0.05),
      "truncated_normal", Map.of("mean", 0.0, "stddev", 0.05),
      "orthogonal", Map.of("gain", 1.0));

  private static Initializer initializer(JsonFields c, String key, Initializer keras,
      List<String> notes) {
    JsonNode node = c.get(key);
    if (node == null) {
      return keras;
    }
    String cls = node.isTextual() ? node.textValue() : node.path("class_name").asText("");
    Initializer init = INITIALIZERS.get(cls);
    if (init == null) {
      String snake = Keras3Weights.snakeCase(cls);
      try {
        init = Initializer.of(snake);
      } catch (IllegalArgumentException e) {
        init = null;
      }
      Map<String, Double> defaults = INITIALIZER_DEFAULTS.get(snake);
      if (init != null && defaults != null) {
        JsonNode config = node.path("config");
        for (Map.Entry<String, Double> d : defaults.entrySet()) {
          JsonNode v = config.get(d.getKey());
          if (v != null && !v.isNull() && !(v.isNumber() && v.doubleValue() == d.getValue())) {
            init = null;
          }
        }
      }
    }
    if (init == null) {
      notes.add(c.where() + ": " + key + " " + (cls.isEmpty() ? JsonFields.describe(node)
          : "'" + cls + "'") + " is not in the api;"
          + " recorded as " + keras.kerasName() + " (the imported weights are used, so"
          + " predictions are unaffected)");
      return keras;
    }
    return init;
  }

  private interface LayerSupplier {
    Layer get();
  }

  private static Layer wrap(JsonFields c, LayerSupplier s) {
    try {
      return s.get();
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }
}
