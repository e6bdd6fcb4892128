package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.model.Activation;
import dev.backplane.model.AveragePooling1D;
import dev.backplane.model.AveragePooling2D;
import dev.backplane.model.BatchNormalization;
import dev.backplane.model.Conv1D;
import dev.backplane.model.Conv2D;
import dev.backplane.model.Conv2DTranspose;
import dev.backplane.model.Conv3D;
import dev.backplane.model.Cropping1D;
import dev.backplane.model.Cropping2D;
import dev.backplane.model.DataFormat;
import dev.backplane.model.DepthwiseConv2D;
import dev.backplane.model.ELU;
import dev.backplane.model.Embedding;
import dev.backplane.model.GlobalAveragePooling1D;
import dev.backplane.model.GlobalAveragePooling2D;
import dev.backplane.model.GlobalMaxPooling1D;
import dev.backplane.model.GlobalMaxPooling2D;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.LayerNormalization;
import dev.backplane.model.LeakyReLU;
import dev.backplane.model.MaxPooling1D;
import dev.backplane.model.MaxPooling2D;
import dev.backplane.model.PReLU;
import dev.backplane.model.Padding;
import dev.backplane.model.Permute;
import dev.backplane.model.ReLU;
import dev.backplane.model.RepeatVector;
import dev.backplane.model.Reshape;
import dev.backplane.model.SeparableConv2D;
import dev.backplane.model.Softmax;
import dev.backplane.model.ThresholdedReLU;
import dev.backplane.model.UpSampling1D;
import dev.backplane.model.UpSampling2D;
import dev.backplane.model.ZeroPadding1D;
import dev.backplane.model.ZeroPadding2D;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The convolution, pooling, normalization, reshaping, embedding and activation layers to and
 * from Keras-style configs ({@code {"filters": 4, "kernel_size": [3, 3], ...}}), shared by
 * Backplane's model files ({@link LayerCodec}, strict: every field written, no others) and the
 * Keras importer ({@code dev.backplane.io.keras}, lenient about Keras's defaults and spellings:
 * an int where Keras also takes a tuple, Keras 2's {@code alpha} for LeakyReLU's slope, a
 * one-element list for an axis). Field names are Keras's. Internal to the io module; public only
 * so that the importer in the sub-package can use it.
 */
public final class KerasLayerConfigs {
  /** How initializers and activations are read: Backplane files name them; Keras nests them. */
  public interface Reader {
    /** The initializer at {@code key}, or {@code keras} (Keras's default) when absent. */
    Initializer initializer(JsonFields c, String key, Initializer keras);

    /** The activation at {@code key}, or linear when absent. */
    Activation activation(JsonFields c, String key);
  }

  /** Backplane files: names, looked up strictly. */
  static final Reader NAMES = new Reader() {
    @Override
    public Initializer initializer(JsonFields c, String key, Initializer keras) {
      return c.has(key) ? Initializer.of(c.text(key)) : keras;
    }

    @Override
    public Activation activation(JsonFields c, String key) {
      return c.has(key) ? Activation.of(c.text(key)) : Activation.LINEAR;
    }
  };

  private static final List<String> CONV = List.of("filters", "kernel_size", "strides",
      "padding", "data_format", "dilation_rate", "groups", "activation", "use_bias",
      "kernel_initializer", "bias_initializer");
  private static final List<String> POOL = List.of("pool_size", "strides", "padding",
      "data_format");
  private static final List<String> GLOBAL = List.of("data_format", "keepdims");

  /** Each class's config fields, besides {@code name} and {@code trainable}. */
  public static final Map<String, List<String>> FIELDS = fields();

  private static Map<String, List<String>> fields() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("Conv1D", CONV);
    m.put("Conv2D", CONV);
    m.put("Conv3D", CONV);
    m.put("DepthwiseConv2D", List.of("kernel_size", "strides", "padding", "depth_multiplier",
        "data_format", "dilation_rate", "activation", "use_bias", "depthwise_initializer",
        "bias_initializer"));
    m.put("SeparableConv2D", List.of("filters", "kernel_size", "strides", "padding",
        "data_format", "dilation_rate", "depth_multiplier", "activation", "use_bias",
        "depthwise_initializer", "pointwise_initializer", "bias_initializer"));
    m.put("Conv2DTranspose", List.of("filters", "kernel_size", "strides", "padding",
        "data_format", "dilation_rate", "activation", "use_bias", "kernel_initializer",
        "bias_initializer"));
    for (String p : List.of("MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
        "AveragePooling2D")) {
      m.put(p, POOL);
    }
    for (String p : List.of("GlobalAveragePooling1D", "GlobalAveragePooling2D",
        "GlobalMaxPooling1D", "GlobalMaxPooling2D")) {
      m.put(p, GLOBAL);
    }
    m.put("BatchNormalization", List.of("axis", "momentum", "epsilon", "center", "scale",
        "beta_initializer", "gamma_initializer"));
    m.put("LayerNormalization", List.of("axis", "epsilon", "center", "scale"));
    m.put("Reshape", List.of("target_shape"));
    m.put("Permute", List.of("dims"));
    m.put("ZeroPadding1D", List.of("padding"));
    m.put("ZeroPadding2D", List.of("padding", "data_format"));
    m.put("Cropping1D", List.of("cropping"));
    m.put("Cropping2D", List.of("cropping", "data_format"));
    m.put("UpSampling1D", List.of("size"));
    m.put("UpSampling2D", List.of("size", "data_format"));
    m.put("RepeatVector", List.of("n"));
    m.put("Embedding", List.of("input_dim", "output_dim", "embeddings_initializer",
        "mask_zero"));
    m.put("ReLU", List.of("max_value", "negative_slope", "threshold"));
    m.put("LeakyReLU", List.of("negative_slope"));
    m.put("ELU", List.of("alpha"));
    m.put("PReLU", List.of("alpha_initializer", "shared_axes"));
    m.put("ThresholdedReLU", List.of("theta"));
    m.put("Softmax", List.of("axis"));
    return java.util.Collections.unmodifiableMap(m);
  }

  private KerasLayerConfigs() {}

  /** Whether the class is one of this codec's. */
  public static boolean handles(String cls) {
    return FIELDS.containsKey(cls);
  }

  // ------------------------------------------------------------------------------- encode

  /**
   * Writes the layer's options into {@code config}; returns whether this codec knows the layer
   * (a {@link dev.backplane.model.Frozen} one must be unwrapped first).
   */
  static boolean encode(Layer layer, ObjectNode config) {
    if (layer instanceof Conv1D l) {
      conv(config, l.filters(), l.kernelSize(), l.strides(), l.padding(), l.dataFormat(),
          l.dilationRate(), l.groups(), l.activation(), l.useBias(), l.kernelInitializer(),
          l.biasInitializer());
    } else if (layer instanceof Conv2D l) {
      conv(config, l.filters(), l.kernelSize(), l.strides(), l.padding(), l.dataFormat(),
          l.dilationRate(), l.groups(), l.activation(), l.useBias(), l.kernelInitializer(),
          l.biasInitializer());
    } else if (layer instanceof Conv3D l) {
      conv(config, l.filters(), l.kernelSize(), l.strides(), l.padding(), l.dataFormat(),
          l.dilationRate(), l.groups(), l.activation(), l.useBias(), l.kernelInitializer(),
          l.biasInitializer());
    } else if (layer instanceof DepthwiseConv2D l) {
      ints(config, "kernel_size", l.kernelSize());
      ints(config, "strides", l.strides());
      config.put("padding", l.padding().kerasName());
      config.put("depth_multiplier", l.depthMultiplier());
      config.put("data_format", l.dataFormat().kerasName());
      ints(config, "dilation_rate", l.dilationRate());
      config.put("activation", l.activation().kerasName());
      config.put("use_bias", l.useBias());
      config.put("depthwise_initializer", l.depthwiseInitializer().kerasName());
      config.put("bias_initializer", l.biasInitializer().kerasName());
    } else if (layer instanceof SeparableConv2D l) {
      config.put("filters", l.filters());
      ints(config, "kernel_size", l.kernelSize());
      ints(config, "strides", l.strides());
      config.put("padding", l.padding().kerasName());
      config.put("data_format", l.dataFormat().kerasName());
      ints(config, "dilation_rate", l.dilationRate());
      config.put("depth_multiplier", l.depthMultiplier());
      config.put("activation", l.activation().kerasName());
      config.put("use_bias", l.useBias());
      config.put("depthwise_initializer", l.depthwiseInitializer().kerasName());
      config.put("pointwise_initializer", l.pointwiseInitializer().kerasName());
      config.put("bias_initializer", l.biasInitializer().kerasName());
    } else if (layer instanceof Conv2DTranspose l) {
      config.put("filters", l.filters());
      ints(config, "kernel_size", l.kernelSize());
      ints(config, "strides", l.strides());
      config.put("padding", l.padding().kerasName());
      config.put("data_format", l.dataFormat().kerasName());
      ints(config, "dilation_rate", l.dilationRate());
      config.put("activation", l.activation().kerasName());
      config.put("use_bias", l.useBias());
      config.put("kernel_initializer", l.kernelInitializer().kerasName());
      config.put("bias_initializer", l.biasInitializer().kerasName());
    } else if (layer instanceof MaxPooling1D l) {
      pool(config, l.poolSize(), l.strides(), l.padding(), l.dataFormat());
    } else if (layer instanceof MaxPooling2D l) {
      pool(config, l.poolSize(), l.strides(), l.padding(), l.dataFormat());
    } else if (layer instanceof AveragePooling1D l) {
      pool(config, l.poolSize(), l.strides(), l.padding(), l.dataFormat());
    } else if (layer instanceof AveragePooling2D l) {
      pool(config, l.poolSize(), l.strides(), l.padding(), l.dataFormat());
    } else if (layer instanceof GlobalAveragePooling1D l) {
      global(config, l.dataFormat(), l.keepdims());
    } else if (layer instanceof GlobalAveragePooling2D l) {
      global(config, l.dataFormat(), l.keepdims());
    } else if (layer instanceof GlobalMaxPooling1D l) {
      global(config, l.dataFormat(), l.keepdims());
    } else if (layer instanceof GlobalMaxPooling2D l) {
      global(config, l.dataFormat(), l.keepdims());
    } else if (layer instanceof BatchNormalization l) {
      config.put("axis", l.axis());
      config.put("momentum", l.momentum());
      config.put("epsilon", l.epsilon());
      config.put("center", l.center());
      config.put("scale", l.scale());
      config.put("beta_initializer", l.betaInitializer().kerasName());
      config.put("gamma_initializer", l.gammaInitializer().kerasName());
    } else if (layer instanceof LayerNormalization l) {
      ints(config, "axis", l.axis());
      config.put("epsilon", l.epsilon());
      config.put("center", l.center());
      config.put("scale", l.scale());
    } else if (layer instanceof Reshape l) {
      ints(config, "target_shape", l.targetShape());
    } else if (layer instanceof Permute l) {
      ints(config, "dims", l.dims());
    } else if (layer instanceof ZeroPadding1D l) {
      ints(config, "padding", l.padding());
    } else if (layer instanceof ZeroPadding2D l) {
      pairs(config, "padding", l.padding());
      config.put("data_format", l.dataFormat().kerasName());
    } else if (layer instanceof Cropping1D l) {
      ints(config, "cropping", l.cropping());
    } else if (layer instanceof Cropping2D l) {
      pairs(config, "cropping", l.cropping());
      config.put("data_format", l.dataFormat().kerasName());
    } else if (layer instanceof UpSampling1D l) {
      config.put("size", l.size());
    } else if (layer instanceof UpSampling2D l) {
      ints(config, "size", l.size());
      config.put("data_format", l.dataFormat().kerasName());
    } else if (layer instanceof RepeatVector l) {
      config.put("n", l.n());
    } else if (layer instanceof Embedding l) {
      config.put("input_dim", l.inputDim());
      config.put("output_dim", l.outputDim());
      config.put("embeddings_initializer", l.embeddingsInitializer().kerasName());
      config.put("mask_zero", l.maskZero());
    } else if (layer instanceof ReLU l) {
      if (l.maxValue() == null) {
        config.putNull("max_value");
      } else {
        config.put("max_value", l.maxValue());
      }
      config.put("negative_slope", l.negativeSlope());
      config.put("threshold", l.threshold());
    } else if (layer instanceof LeakyReLU l) {
      config.put("negative_slope", l.negativeSlope());
    } else if (layer instanceof ELU l) {
      config.put("alpha", l.alpha());
    } else if (layer instanceof PReLU l) {
      config.put("alpha_initializer", l.alphaInitializer().kerasName());
      ints(config, "shared_axes", l.sharedAxes());
    } else if (layer instanceof ThresholdedReLU l) {
      config.put("theta", l.theta());
    } else if (layer instanceof Softmax l) {
      config.put("axis", l.axis());
    } else {
      return false;
    }
    return true;
  }

  private static void conv(ObjectNode c, int filters, int[] kernel, int[] strides,
      Padding padding, DataFormat format, int[] dilation, int groups, Activation activation,
      boolean useBias, Initializer kernelInit, Initializer biasInit) {
    c.put("filters", filters);
    ints(c, "kernel_size", kernel);
    ints(c, "strides", strides);
    c.put("padding", padding.kerasName());
    c.put("data_format", format.kerasName());
    ints(c, "dilation_rate", dilation);
    c.put("groups", groups);
    c.put("activation", activation.kerasName());
    c.put("use_bias", useBias);
    c.put("kernel_initializer", kernelInit.kerasName());
    c.put("bias_initializer", biasInit.kerasName());
  }

  private static void pool(ObjectNode c, int[] size, int[] strides, Padding padding,
      DataFormat format) {
    ints(c, "pool_size", size);
    ints(c, "strides", strides);
    c.put("padding", padding.kerasName());
    c.put("data_format", format.kerasName());
  }

  private static void global(ObjectNode c, DataFormat format, boolean keepdims) {
    c.put("data_format", format.kerasName());
    c.put("keepdims", keepdims);
  }

  private static void ints(ObjectNode c, String key, int[] values) {
    ArrayNode a = c.putArray(key);
    for (int v : values) {
      a.add(v);
    }
  }

  /** (a, b, c, d) as Keras's {@code [[a, b], [c, d]]}. */
  private static void pairs(ObjectNode c, String key, int[] values) {
    ArrayNode a = c.putArray(key);
    for (int i = 0; i < values.length; i += 2) {
      a.addArray().add(values[i]).add(values[i + 1]);
    }
  }

  // ------------------------------------------------------------------------------- decode

  /**
   * Builds the layer from a Keras-style config, with Keras's defaults for absent fields; the
   * caller has checked which fields are allowed.
   *
   * @return the layer, or {@code null} when {@link #handles} is false for {@code cls}
   * @throws ModelFileException naming the layer and the field for a bad value
   */
  public static Layer decode(String cls, String name, JsonFields c, Reader r) {
    try {
      return build(cls, name, c, r);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw c.error(e.getMessage());
    }
  }

  private static Layer build(String cls, String name, JsonFields c, Reader r) {
    switch (cls) {
      case "Conv1D":
        return new Conv1D(filters(c), ints(c, "kernel_size", 1, null), ints(c, "strides", 1,
            1), padding(c), format(c), ints(c, "dilation_rate", 1, 1), groups(c),
            r.activation(c, "activation"), c.bool("use_bias", true),
            r.initializer(c, "kernel_initializer", Initializer.GLOROT_UNIFORM),
            r.initializer(c, "bias_initializer", Initializer.ZEROS), name);
      case "Conv2D":
        return new Conv2D(filters(c), ints(c, "kernel_size", 2, null), ints(c, "strides", 2,
            1), padding(c), format(c), ints(c, "dilation_rate", 2, 1), groups(c),
            r.activation(c, "activation"), c.bool("use_bias", true),
            r.initializer(c, "kernel_initializer", Initializer.GLOROT_UNIFORM),
            r.initializer(c, "bias_initializer", Initializer.ZEROS), name);
      case "Conv3D":
        return new Conv3D(filters(c), ints(c, "kernel_size", 3, null), ints(c, "strides", 3,
            1), padding(c), format(c), ints(c, "dilation_rate", 3, 1), groups(c),
            r.activation(c, "activation"), c.bool("use_bias", true),
            r.initializer(c, "kernel_initializer", Initializer.GLOROT_UNIFORM),
            r.initializer(c, "bias_initializer", Initializer.ZEROS), name);
      case "DepthwiseConv2D":
        return new DepthwiseConv2D(ints(c, "kernel_size", 2, null), ints(c, "strides", 2, 1),
            padding(c), (int) positive(c, "depth_multiplier", 1), format(c),
            ints(c, "dilation_rate", 2, 1), r.activation(c, "activation"),
            c.bool("use_bias", true),
            r.initializer(c, "depthwise_initializer", Initializer.GLOROT_UNIFORM),
            r.initializer(c, "bias_initializer", Initializer.ZEROS), name);
      case "SeparableConv2D":
        return new SeparableConv2D(filters(c), ints(c, "kernel_size", 2,
            null), ints(c, "strides", 2, 1), padding(c), format(c),
            ints(c, "dilation_rate", 2, 1),
            (int) positive(c, "depth_multiplier", 1),
            r.activation(c, "activation"), c.bool("use_bias", true),
            r.initializer(c, "depthwise_initializer", Initializer.GLOROT_UNIFORM),
            r.initializer(c, "pointwise_initializer", Initializer.GLOROT_UNIFORM),
            r.initializer(c, "bias_initializer", Initializer.ZEROS), name);
      case "Conv2DTranspose":
        return new Conv2DTranspose(filters(c), ints(c, "kernel_size", 2, null),
            ints(c, "strides", 2, 1), padding(c), format(c), ints(c, "dilation_rate", 2, 1),
            r.activation(c, "activation"), c.bool("use_bias", true),
            r.initializer(c, "kernel_initializer", Initializer.GLOROT_UNIFORM),
            r.initializer(c, "bias_initializer", Initializer.ZEROS), name);
      case "MaxPooling1D":
        return new MaxPooling1D(ints(c, "pool_size", 1, 2), ints(c, "strides", 1, null),
            padding(c), format(c), name);
      case "MaxPooling2D":
        return new MaxPooling2D(ints(c, "pool_size", 2, 2), ints(c, "strides", 2, null),
            padding(c), format(c), name);
      case "AveragePooling1D":
        return new AveragePooling1D(ints(c, "pool_size", 1, 2), ints(c, "strides", 1, null),
            padding(c), format(c), name);
      case "AveragePooling2D":
        return new AveragePooling2D(ints(c, "pool_size", 2, 2), ints(c, "strides", 2, null),
            padding(c), format(c), name);
      case "GlobalAveragePooling1D":
        return new GlobalAveragePooling1D(format(c), c.bool("keepdims", false), name);
      case "GlobalAveragePooling2D":
        return new GlobalAveragePooling2D(format(c), c.bool("keepdims", false), name);
      case "GlobalMaxPooling1D":
        return new GlobalMaxPooling1D(format(c), c.bool("keepdims", false), name);
      case "GlobalMaxPooling2D":
        return new GlobalMaxPooling2D(format(c), c.bool("keepdims", false), name);
      case "BatchNormalization":
        return new BatchNormalization(axis(c, "axis", -1), c.number("momentum", 0.99),
            c.number("epsilon", 1e-3), c.bool("center", true), c.bool("scale", true),
            r.initializer(c, "beta_initializer", Initializer.ZEROS),
            r.initializer(c, "gamma_initializer", Initializer.ONES), name);
      case "LayerNormalization":
        return new LayerNormalization(c.has("axis") ? signed(c, "axis") : new int[] {-1},
            c.number("epsilon", 1e-3), c.bool("center", true), c.bool("scale", true), name);
      case "Reshape":
        return new Reshape(signed(c, "target_shape"), name);
      case "Permute":
        return new Permute(signed(c, "dims"), name);
      case "ZeroPadding1D":
        return new ZeroPadding1D(amounts(c, "padding", 1), name);
      case "ZeroPadding2D":
        return new ZeroPadding2D(amounts(c, "padding", 2), format(c), name);
      case "Cropping1D":
        return new Cropping1D(amounts(c, "cropping", 1), name);
      case "Cropping2D":
        return new Cropping2D(amounts(c, "cropping", 2), format(c), name);
      case "UpSampling1D":
        return new UpSampling1D(ints(c, "size", 1, 2)[0], name);
      case "UpSampling2D":
        return new UpSampling2D(ints(c, "size", 2, 2), format(c), name);
      case "RepeatVector":
        return new RepeatVector((int) c.integer("n", 1, Integer.MAX_VALUE), name);
      case "Embedding":
        return new Embedding((int) c.integer("input_dim", 1, Integer.MAX_VALUE),
            (int) c.integer("output_dim", 1, Integer.MAX_VALUE),
            r.initializer(c, "embeddings_initializer", Initializer.RANDOM_UNIFORM),
            c.bool("mask_zero", false), name);
      case "ReLU":
        return new ReLU(c.has("max_value") ? c.number("max_value") : null,
            c.number("negative_slope", 0), c.number("threshold", 0), name);
      case "LeakyReLU":
        // Keras 2 calls the slope alpha (default 0.3), Keras 3 negative_slope (also 0.3).
        return new LeakyReLU(c.has("negative_slope") ? c.number("negative_slope")
            : c.number("alpha", 0.3), name);
      case "ELU":
        return new ELU(c.number("alpha", 1.0), name);
      case "PReLU":
        return new PReLU(r.initializer(c, "alpha_initializer", Initializer.ZEROS),
            c.has("shared_axes") ? signed(c, "shared_axes") : new int[0], name);
      case "ThresholdedReLU":
        return new ThresholdedReLU(c.number("theta", 1.0), name);
      case "Softmax":
        return new Softmax(axis(c, "axis", -1), name);
      default:
        return null;
    }
  }

  private static int filters(JsonFields c) {
    return (int) c.integer("filters", 1, Integer.MAX_VALUE);
  }

  private static int groups(JsonFields c) {
    return (int) positive(c, "groups", 1);
  }

  private static int positive(JsonFields c, String key, int dflt) {
    return c.has(key) ? (int) c.integer(key, 1, Integer.MAX_VALUE) : dflt;
  }

  private static Padding padding(JsonFields c) {
    return Padding.of(c.text("padding", "valid"));
  }

  private static DataFormat format(JsonFields c) {
    return DataFormat.of(c.text("data_format", "channels_last"));
  }

  /**
   * A Keras int-or-tuple: one int (repeated to {@code rank}) or a list; the api checks the
   * values are positive.
   *
   * @param dflt the value (repeated) when absent; {@code null} makes the field required, except
   *     pooling's {@code strides}, which are then {@code null} (the pool size)
   */
  private static int[] ints(JsonFields c, String key, int rank, Integer dflt) {
    JsonNode v = c.get(key);
    if (v == null) {
      if (dflt == null) {
        if (key.equals("strides")) {
          return null; // pooling: strides default to the pool size
        }
        c.require(key);
      }
      int[] out = new int[rank];
      java.util.Arrays.fill(out, dflt);
      return out;
    }
    if (v.isIntegralNumber()) {
      int[] out = new int[rank];
      java.util.Arrays.fill(out, checked(c, key, v));
      return out;
    }
    int[] out = c.dims(v, key);
    if (out.length == 1 && rank > 1) {
      int[] r = new int[rank];
      java.util.Arrays.fill(r, out[0]);
      return r;
    }
    if (out.length != rank) {
      throw c.error(key + " " + v + " must have " + rank + " value(s)");
    }
    return out;
  }

  private static int checked(JsonFields c, String key, JsonNode v) {
    if (!v.canConvertToInt() || v.intValue() < 0) {
      throw c.error(key + " " + v + " must be a non-negative integer");
    }
    return v.intValue();
  }

  /** A list (or single int) of possibly negative ints. */
  private static int[] signed(JsonFields c, String key) {
    JsonNode v = c.require(key);
    if (v.isIntegralNumber() && v.canConvertToInt()) {
      return new int[] {v.intValue()};
    }
    if (!v.isArray()) {
      throw c.error(key + " must be an integer list but is " + JsonFields.describe(v));
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode d = v.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToInt()) {
        throw c.error(key + " must hold integers but element " + i + " is "
            + JsonFields.describe(d));
      }
      out[i] = d.intValue();
    }
    return out;
  }

  /** One axis: an int or a one-element list. */
  private static int axis(JsonFields c, String key, int dflt) {
    if (!c.has(key)) {
      return dflt;
    }
    int[] a = signed(c, key);
    if (a.length != 1) {
      throw c.error(key + " " + c.get(key) + " is not supported; Backplane takes one axis");
    }
    return a[0];
  }

  /**
   * Keras's padding/cropping amounts for {@code rank} axes: an int (all sides), a list of
   * {@code rank} ints (symmetric per axis, or (before, after) for rank 1) or of pairs.
   */
  private static int[] amounts(JsonFields c, String key, int rank) {
    JsonNode v = c.require(key);
    int[] out = new int[2 * rank];
    if (v.isIntegralNumber()) {
      java.util.Arrays.fill(out, checked(c, key, v));
      return out;
    }
    if (!v.isArray()) {
      throw c.error(key + " must be an integer or a list but is " + JsonFields.describe(v));
    }
    if (rank == 1) {
      int[] d = c.dims(v, key);
      if (d.length != 2) {
        throw c.error(key + " " + v + " must be an integer or (before, after)");
      }
      return d;
    }
    if (v.size() != rank) {
      throw c.error(key + " " + v + " must have " + rank + " entries, one per spatial axis");
    }
    for (int i = 0; i < rank; i++) {
      JsonNode e = v.get(i);
      if (e.isIntegralNumber()) {
        out[2 * i] = checked(c, key, e);
        out[2 * i + 1] = out[2 * i];
      } else {
        int[] d = c.dims(e, key + " entry " + i);
        if (d.length != 2) {
          throw c.error(key + " entry " + i + " " + e + " must be (before, after)");
        }
        out[2 * i] = d[0];
        out[2 * i + 1] = d[1];
      }
    }
    return out;
  }
}
