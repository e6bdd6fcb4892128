package dev.backplane.io.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.io.JsonFields;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Concatenate;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.Merge;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps one Keras layer config to the api layer that computes exactly the same function, by a
 * closed list of Keras class names; anything else fails with a message naming the Keras class and
 * the layer. Options that would change the computation (regularizers, constraints, frozen
 * weights, another dtype, an activation or slope the api does not define) fail too, rather than
 * being dropped. Options that cannot change the result are accepted and documented here:
 * {@code name}, {@code trainable: true}, {@code dtype} float32, initializers (the file's weights
 * replace the initial ones; an initializer the api lacks maps to Keras's default), Dropout's
 * {@code seed} (Backplane derives masks from the model seed), and any other option whose value is
 * {@code null}.
 */
final class KerasLayerMapper {
  /** The Keras layer classes that can be imported. */
  static final List<String> SUPPORTED = List.of("InputLayer", "Dense", "Dropout", "Activation",
      "Flatten", "ReLU", "LeakyReLU", "ELU", "Softmax", "Add", "Subtract", "Multiply", "Average",
      "Concatenate");

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
      case "ReLU":
        only(c, "max_value", "negative_slope", "threshold");
        if (c.has("max_value") || c.number("negative_slope", 0) != 0
            || c.number("threshold", 0) != 0) {
          throw c.error("only ReLU() with default arguments is supported (max_value=None,"
              + " negative_slope=0, threshold=0) but the file has max_value="
              + c.get("max_value") + ", negative_slope=" + c.get("negative_slope")
              + ", threshold=" + c.get("threshold"));
        }
        return new ActivationLayer(Activation.RELU, name);
      case "LeakyReLU":
        only(c, "alpha", "negative_slope");
        // Keras 2 calls it alpha, Keras 3 negative_slope; both default to 0.3.
        double slope = c.has("negative_slope") ? c.number("negative_slope")
            : c.number("alpha", 0.3);
        if (Math.abs(slope - Activation.LEAKY_RELU_SLOPE) > SLOPE_TOLERANCE) {
          throw c.error("negative slope " + slope + " is not supported; Backplane's leaky_relu"
              + " has slope " + Activation.LEAKY_RELU_SLOPE + " (Keras 3's default for"
              + " keras.activations.leaky_relu); use LeakyReLU(negative_slope=0.2)");
        }
        return new ActivationLayer(Activation.LEAKY_RELU, name);
      case "ELU":
        only(c, "alpha");
        double alpha = c.number("alpha", 1.0);
        if (Math.abs(alpha - Activation.ELU_ALPHA) > SLOPE_TOLERANCE) {
          throw c.error("alpha " + alpha + " is not supported; Backplane's elu has alpha "
              + Activation.ELU_ALPHA);
        }
        return new ActivationLayer(Activation.ELU, name);
      case "Softmax":
        only(c, "axis");
        checkLastAxis(c, inputRank);
        return new ActivationLayer(Activation.SOFTMAX, name);
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
    if (!c.bool("trainable", true)) {
      throw c.error("trainable=False (a frozen layer) is not supported; Backplane trains every"
          + " layer");
    }
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

  private static Initializer initializer(JsonFields c, String key, Initializer keras,
      List<String> notes) {
    JsonNode node = c.get(key);
    if (node == null) {
      return keras;
    }
    String cls = node.isTextual() ? node.textValue() : node.path("class_name").asText("");
    Initializer init = INITIALIZERS.get(cls);
    if (init == null) {
      notes.add(c.where() + ": " + key + " '" + cls + "' is not in the api; recorded as "
          + keras.kerasName() + " (the imported weights are used, so predictions are"
          + " unaffected)");
      return keras;
    }
    return init;
  }

  private static void checkLastAxis(JsonFields c, int inputRank) {
    JsonNode axis = c.get("axis");
    if (axis == null) {
      return;
    }
    JsonNode a = axis.isArray() && axis.size() == 1 ? axis.get(0) : axis;
    if (!a.isIntegralNumber() || !(a.intValue() == -1 || a.intValue() == inputRank)) {
      throw c.error("softmax over axis " + axis + " is not supported; Backplane applies softmax"
          + " over the last axis");
    }
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
