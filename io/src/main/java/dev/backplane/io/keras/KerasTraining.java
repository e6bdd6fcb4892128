package dev.backplane.io.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.io.TrainingConfig;
import dev.backplane.model.Loss;
import dev.backplane.model.Metric;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.Optimizers;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a Keras training config to a {@link TrainingConfig} when Backplane can train exactly the
 * same way, so the imported model is compiled as Keras's {@code load_model} would; otherwise the
 * model is imported uncompiled and the reason is added to the notes (a training config never
 * blocks inference). Two sources:
 *
 * <ul>
 *   <li>Keras 2 HDF5 root attribute {@code training_config}: {@code {"optimizer_config":
 *       {"class_name": "Adam", "config": {..}}, "loss": .., "metrics": [..],
 *       "weighted_metrics": .., "loss_weights": ..}};
 *   <li>Keras 3 {@code config.json} field {@code compile_config}: {@code {"optimizer":
 *       {"module": "keras.optimizers", "class_name": "Adam", "config": {..}}, "loss": ..,
 *       "metrics": [..], ..}}.
 * </ul>
 */
final class KerasTraining {
  /** Optimizer options that cannot change an update when they hold these values. */
  private static final Map<String, Set<String>> NEUTRAL = Map.of(
      "decay", Set.of("0", "0.0"), "amsgrad", Set.of("false"), "centered", Set.of("false"),
      "use_ema", Set.of("false"), "weight_decay", Set.of("0", "0.0"));
  private static final Set<String> IGNORED = Set.of("name", "jit_compile",
      "is_legacy_optimizer", "ema_momentum", "ema_overwrite_frequency");

  private KerasTraining() {}

  /** Thrown inside this class when a config cannot be mapped; caught and turned into a note. */
  private static final class Unmappable extends RuntimeException {
    Unmappable(String message) {
      super(message, null, false, false);
    }
  }

  /** From a Keras 2 {@code training_config}. */
  static Optional<TrainingConfig> fromTrainingConfig(JsonNode config, List<String> notes) {
    return map(config, config.get("optimizer_config"), notes);
  }

  /** From a Keras 3 {@code compile_config}. */
  static Optional<TrainingConfig> fromCompileConfig(JsonNode config, List<String> notes) {
    return map(config, config.get("optimizer"), notes);
  }

  private static Optional<TrainingConfig> map(JsonNode config, JsonNode optimizer,
      List<String> notes) {
    try {
      if (!config.isObject()) {
        throw new Unmappable("it is not a JSON object");
      }
      for (String key : List.of("loss_weights", "weighted_metrics", "sample_weight_mode")) {
        JsonNode v = config.get(key);
        if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
          throw new Unmappable(key + " " + v + " is not supported");
        }
      }
      Optimizer o = optimizer(optimizer);
      Loss loss = loss(config.get("loss"));
      List<Metric> metrics = metrics(config.get("metrics"));
      return Optional.of(new TrainingConfig(o, loss, metrics));
    } catch (Unmappable | IllegalArgumentException e) {
      notes.add("not compiled: the Keras training config cannot be mapped exactly ("
          + e.getMessage() + "); compile the model yourself to train it");
      return Optional.empty();
    }
  }

  private static Optimizer optimizer(JsonNode node) {
    if (node == null || node.isNull()) {
      throw new Unmappable("it has no optimizer");
    }
    if (node.isTextual()) {
      return Optimizers.of(node.textValue());
    }
    String cls = node.path("class_name").asText("");
    JsonNode c = node.path("config");
    String key = cls.replaceFirst("^Custom>", "").toLowerCase(Locale.ROOT);
    Optimizer o;
    switch (key) {
      case "sgd":
        o = new SGD(learningRate(c), number(c, "momentum", 0), bool(c, "nesterov"));
        check(c, "learning_rate", "lr", "momentum", "nesterov");
        break;
      case "adam":
        o = new Adam(learningRate(c), number(c, "beta_1", Adam.DEFAULT_BETA1),
            number(c, "beta_2", Adam.DEFAULT_BETA2), number(c, "epsilon", Adam.DEFAULT_EPSILON));
        check(c, "learning_rate", "lr", "beta_1", "beta_2", "epsilon");
        break;
      case "rmsprop":
        o = new RMSprop(learningRate(c), number(c, "rho", RMSprop.DEFAULT_RHO),
            number(c, "momentum", 0), number(c, "epsilon", RMSprop.DEFAULT_EPSILON));
        check(c, "learning_rate", "lr", "rho", "momentum", "epsilon");
        break;
      default:
        throw new Unmappable("optimizer '" + cls + "' is not one of SGD, Adam, RMSprop");
    }
    return o;
  }

  private static double learningRate(JsonNode c) {
    JsonNode lr = c.has("learning_rate") ? c.get("learning_rate") : c.get("lr");
    if (lr == null || !lr.isNumber()) {
      throw new Unmappable("learning rate " + lr + " is not a constant (schedules are not"
          + " supported)");
    }
    return lr.doubleValue();
  }

  private static double number(JsonNode c, String key, double defaultValue) {
    JsonNode v = c.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isNumber()) {
      throw new Unmappable("optimizer option " + key + " = " + v + " is not a number");
    }
    return v.doubleValue();
  }

  private static boolean bool(JsonNode c, String key) {
    JsonNode v = c.get(key);
    return v != null && v.asBoolean(false);
  }

  /** Every option but the mapped ones must be ignorable, neutral or null. */
  private static void check(JsonNode c, String... mapped) {
    Set<String> known = Set.of(mapped);
    for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      JsonNode v = c.get(key);
      if (known.contains(key) || IGNORED.contains(key) || v.isNull()
          || NEUTRAL.getOrDefault(key, Set.of()).contains(v.asText())) {
        continue;
      }
      throw new Unmappable("optimizer option " + key + " = " + v + " is not supported");
    }
  }

  private static Loss loss(JsonNode node) {
    if (node == null || node.isNull()) {
      throw new Unmappable("it has no loss");
    }
    if (node.isTextual()) {
      return Loss.of(node.textValue());
    }
    if (!node.isObject()) {
      throw new Unmappable("loss " + node + " is not a single loss");
    }
    String cls = node.path("class_name").asText("");
    JsonNode c = node.path("config");
    if (cls.equals("function") && c.isTextual()) {
      return Loss.of(c.textValue());
    }
    Loss loss = Loss.of(snake(cls));
    if (c.path("label_smoothing").asDouble(0) != 0) {
      throw new Unmappable("label_smoothing " + c.get("label_smoothing") + " is not supported");
    }
    String reduction = c.path("reduction").asText("sum_over_batch_size");
    if (!reduction.equals("auto") && !reduction.equals("sum_over_batch_size")) {
      throw new Unmappable("loss reduction '" + reduction + "' is not supported");
    }
    return c.path("from_logits").asBoolean(false) ? loss.withFromLogits() : loss;
  }

  private static List<Metric> metrics(JsonNode node) {
    List<Metric> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw new Unmappable("metrics " + node + " are not a list");
    }
    // Keras 2 may nest the list per output: [["accuracy"]].
    JsonNode list = node.size() == 1 && node.get(0).isArray() ? node.get(0) : node;
    for (JsonNode m : list) {
      out.add(metric(m));
    }
    return out;
  }

  private static Metric metric(JsonNode m) {
    if (m.isTextual()) {
      return Metric.of(m.textValue());
    }
    String cls = m.path("class_name").asText("");
    JsonNode c = m.path("config");
    if (cls.equals("MeanMetricWrapper")) {
      // tf.keras 2.x: {"name": "accuracy", "fn": "categorical_accuracy"}; the name is the key
      // Keras logs under, and "accuracy" resolves to the same function at compile time.
      try {
        return Metric.of(c.path("name").asText());
      } catch (IllegalArgumentException e) {
        return Metric.of(c.path("fn").asText());
      }
    }
    if (cls.equals("function") && c.isTextual()) {
      return Metric.of(c.textValue());
    }
    if (cls.equals("BinaryAccuracy") && c.path("threshold").asDouble(0.5) != 0.5) {
      throw new Unmappable("BinaryAccuracy threshold " + c.get("threshold") + " is not 0.5");
    }
    Metric streaming = streaming(cls, c);
    return streaming != null ? streaming : Metric.of(snake(cls));
  }

  /** Keras's streaming metrics with their options, or {@code null} for another class. */
  private static Metric streaming(String cls, JsonNode c) {
    try {
      switch (cls) {
        case "Precision":
        case "Recall": {
          double t = threshold(c.path("thresholds"), cls);
          int topK = c.path("top_k").isNumber() ? c.path("top_k").asInt() : 0;
          int classId = c.path("class_id").isNumber() ? c.path("class_id").asInt() : -1;
          return cls.equals("Precision") ? new dev.backplane.model.Precision(t, topK, classId)
              : new dev.backplane.model.Recall(t, topK, classId);
        }
        case "AUC": {
          if (!c.path("summation_method").asText("interpolation").equals("interpolation")
              || c.path("multi_label").asBoolean(false) || c.hasNonNull("thresholds")) {
            throw new Unmappable("AUC " + c + ": only summation_method='interpolation',"
                + " multi_label=False and the default thresholds are supported");
          }
          return new dev.backplane.model.Auc(c.path("num_thresholds").asInt(200),
              dev.backplane.model.Auc.Curve.valueOf(c.path("curve").asText("ROC")),
              c.path("from_logits").asBoolean(false));
        }
        case "F1Score":
          return new dev.backplane.model.F1Score(text(c, "average"),
              number(c, "threshold"));
        case "FBetaScore":
          return new dev.backplane.model.FBetaScore(text(c, "average"),
              c.path("beta").asDouble(1.0), number(c, "threshold"));
        case "R2Score":
          return new dev.backplane.model.R2Score(text(c, "class_aggregation"),
              c.path("num_regressors").asInt(0));
        case "MeanIoU":
          return new dev.backplane.model.MeanIoU(c.path("num_classes").asInt());
        case "TopKCategoricalAccuracy":
          return new dev.backplane.model.TopKCategoricalAccuracy(c.path("k").asInt(5));
        case "SparseTopKCategoricalAccuracy":
          return new dev.backplane.model.SparseTopKCategoricalAccuracy(c.path("k").asInt(5));
        default:
          return null;
      }
    } catch (IllegalArgumentException e) {
      throw new Unmappable(cls + " " + c + ": " + e.getMessage());
    }
  }

  private static double threshold(JsonNode t, String cls) {
    if (t == null || t.isMissingNode() || t.isNull()) {
      return Double.NaN;
    }
    if (t.isArray()) {
      if (t.size() != 1) {
        throw new Unmappable(cls + " with " + t.size() + " thresholds " + t + ": only one is"
            + " supported");
      }
      return t.get(0).asDouble();
    }
    return t.asDouble();
  }

  private static String text(JsonNode c, String key) {
    JsonNode v = c.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static double number(JsonNode c, String key) {
    JsonNode v = c.get(key);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }

  /** {@code MeanSquaredError} → {@code mean_squared_error}. */
  private static String snake(String cls) {
    return cls.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
