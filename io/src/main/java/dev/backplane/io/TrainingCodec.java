package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.model.Auc;
import dev.backplane.model.BuiltinMetric;
import dev.backplane.model.F1Score;
import dev.backplane.model.FBetaScore;
import dev.backplane.model.Loss;
import dev.backplane.model.MeanIoU;
import dev.backplane.model.Metric;
import dev.backplane.model.Precision;
import dev.backplane.model.R2Score;
import dev.backplane.model.Recall;
import dev.backplane.model.SparseTopKCategoricalAccuracy;
import dev.backplane.model.TopKCategoricalAccuracy;
import dev.backplane.optimizer.Adadelta;
import dev.backplane.optimizer.Adagrad;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.AdamW;
import dev.backplane.optimizer.Adamax;
import dev.backplane.optimizer.CosineDecay;
import dev.backplane.optimizer.ExponentialDecay;
import dev.backplane.optimizer.GradientClipping;
import dev.backplane.optimizer.InverseTimeDecay;
import dev.backplane.optimizer.LearningRateSchedule;
import dev.backplane.optimizer.Lion;
import dev.backplane.optimizer.Nadam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.PiecewiseConstantDecay;
import dev.backplane.optimizer.PolynomialDecay;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training config to and from Backplane's model JSON:
 * {@code {"optimizer": {"class_name": "Adam", "config": {"learning_rate": .., "beta_1": ..,
 * ..}}, "loss": {"name": "binary_crossentropy", "from_logits": false},
 * "metrics": ["accuracy", {"class_name": "AUC", "config": {..}}]}}. Every optimizer
 * (SGD, Adam, RMSprop, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion) writes every
 * hyper-parameter under Keras's field names, so a file does not depend on the defaults of the
 * version reading it; a learning-rate schedule is the {@code learning_rate} as Keras writes it
 * ({@code {"class_name": "ExponentialDecay", "config": {..}}}); clipping is Keras's
 * {@code clipnorm}, {@code clipvalue} or {@code global_clipnorm} (absent or {@code null} when
 * off). Classes
 * come from closed lists; files written before schedules and clipping (no such fields) still load.
 */
final class TrainingCodec {
  private TrainingCodec() {}

  private static final Map<String, Class<? extends Optimizer>> OPTIMIZERS =
      RecordCodec.<Optimizer>table(SGD.class, Adam.class, RMSprop.class, AdamW.class,
          Adagrad.class, Adadelta.class, Adamax.class, Nadam.class, Lion.class);
  private static final Map<String, Class<? extends LearningRateSchedule>> SCHEDULES =
      RecordCodec.<LearningRateSchedule>table(ExponentialDecay.class,
          PiecewiseConstantDecay.class, CosineDecay.class, InverseTimeDecay.class,
          PolynomialDecay.class);
  private static final Map<String, Class<? extends Metric>> METRICS =
      RecordCodec.<Metric>table(Precision.class, Recall.class, F1Score.class, FBetaScore.class,
          TopKCategoricalAccuracy.class, SparseTopKCategoricalAccuracy.class, MeanIoU.class,
          R2Score.class);
  /** Components an optimizer's config does not hold as a field of its own. */
  private static final Set<String> SKIP = Set.of("learningRate", "schedule", "clipping");
  private static final Set<String> CLIP_KEYS = Set.of("clipnorm", "clipvalue", "global_clipnorm");

  static ObjectNode encode(TrainingConfig training) {
    ObjectNode root = SafeJson.mapper().createObjectNode();
    ObjectNode optimizer = root.putObject("optimizer");
    Optimizer o = training.optimizer();
    String cls = o.getClass().getSimpleName();
    if (OPTIMIZERS.get(cls) != o.getClass()) {
      throw new IllegalArgumentException("Cannot save optimizer " + o);
    }
    optimizer.put("class_name", cls);
    ObjectNode c = SafeJson.mapper().createObjectNode();
    if (o.schedule() == null) {
      c.put("learning_rate", o.learningRate());
    } else {
      c.set("learning_rate", schedule(o.schedule()));
    }
    RecordCodec.encode((Record) o, c, SKIP, v -> {
      throw new IllegalArgumentException("Cannot save " + v + " of optimizer " + o);
    });
    GradientClipping clip = o.clipping();
    putClip(c, "clipnorm", clip.clipnorm());
    putClip(c, "clipvalue", clip.clipvalue());
    putClip(c, "global_clipnorm", clip.globalClipnorm());
    optimizer.set("config", c);
    ObjectNode loss = root.putObject("loss");
    loss.put("name", training.loss().kerasName());
    loss.put("from_logits", training.loss().fromLogits());
    ArrayNode metrics = root.putArray("metrics");
    for (Metric m : training.metrics()) {
      metrics.add(metric(m));
    }
    return root;
  }

  /** A clipping field, written only when set (unclipped files are as before clipping). */
  private static void putClip(ObjectNode c, String key, double v) {
    if (v > 0) {
      c.put(key, v);
    }
  }

  private static ObjectNode schedule(LearningRateSchedule s) {
    String cls = s.getClass().getSimpleName();
    if (SCHEDULES.get(cls) != s.getClass()) {
      throw new IllegalArgumentException("Cannot save learning-rate schedule " + s
          + "; files hold only " + SCHEDULES.keySet());
    }
    ObjectNode n = SafeJson.mapper().createObjectNode();
    n.put("class_name", cls);
    ObjectNode c = n.putObject("config");
    RecordCodec.encode((Record) s, c, Set.of(), v -> {
      throw new IllegalArgumentException("Cannot save " + v + " of " + s);
    });
    return n;
  }

  private static JsonNode metric(Metric m) {
    if (m instanceof BuiltinMetric b) {
      return SafeJson.mapper().getNodeFactory().textNode(b.kerasName());
    }
    String cls = m.getClass().getSimpleName();
    if (m instanceof Auc a) {
      ObjectNode n = SafeJson.mapper().createObjectNode();
      n.put("class_name", "AUC");
      RecordCodec.encode(a, n.putObject("config"), Set.of(), v -> null);
      return n;
    }
    if (METRICS.get(cls) != m.getClass()) {
      throw new IllegalArgumentException("Cannot save metric " + m + "; files hold the built-in"
          + " names and " + METRICS.keySet() + ", AUC");
    }
    ObjectNode n = SafeJson.mapper().createObjectNode();
    n.put("class_name", cls);
    RecordCodec.encode((Record) m, n.putObject("config"), Set.of(), v -> null);
    return n;
  }

  static TrainingConfig decode(JsonFields root) {
    root.allowOnly(Set.of("optimizer", "loss", "metrics"));
    JsonFields opt = root.object("optimizer", "training config optimizer")
        .allowOnly(Set.of("class_name", "config"));
    String cls = opt.text("class_name");
    Class<? extends Optimizer> type = OPTIMIZERS.get(cls);
    if (type == null) {
      throw opt.error("unknown optimizer '" + cls + "'; expected one of "
          + String.join(", ", OPTIMIZERS.keySet()));
    }
    JsonFields c = opt.object("config", "optimizer " + cls + " config");
    Set<String> allowed = new LinkedHashSet<>(RecordCodec.keys(type.asSubclass(Record.class),
        SKIP));
    allowed.add("learning_rate");
    allowed.addAll(CLIP_KEYS);
    c.allowOnly(allowed);
    Map<String, Object> given = new HashMap<>();
    JsonNode lr = c.get("learning_rate");
    LearningRateSchedule schedule = null;
    if (lr != null && lr.isObject()) {
      schedule = decodeSchedule(JsonFields.of(c.file(), c.where() + " learning_rate", lr));
      given.put("learningRate", schedule.initialLearningRate());
    } else {
      given.put("learningRate", c.number("learning_rate"));
    }
    given.put("schedule", schedule);
    given.put("clipping", clipping(c));
    Optimizer optimizer = (Optimizer) RecordCodec.decode(type.asSubclass(Record.class), c, given);
    JsonFields l = root.object("loss", "training config loss")
        .allowOnly(Set.of("name", "from_logits"));
    Loss loss;
    try {
      loss = Loss.of(l.text("name"));
      if (l.bool("from_logits", false)) {
        loss = loss.withFromLogits();
      }
    } catch (IllegalArgumentException e) {
      throw l.error(e.getMessage());
    }
    List<Metric> metrics = new ArrayList<>();
    JsonNode list = root.array("metrics");
    for (JsonNode m : list) {
      metrics.add(decodeMetric(root, m));
    }
    return new TrainingConfig(optimizer, loss, metrics);
  }

  private static GradientClipping clipping(JsonFields c) {
    double norm = c.number("clipnorm", 0);
    double value = c.number("clipvalue", 0);
    double global = c.number("global_clipnorm", 0);
    try {
      return new GradientClipping(norm, value, global);
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }

  private static LearningRateSchedule decodeSchedule(JsonFields s) {
    s.allowOnly(Set.of("class_name", "config"));
    String cls = s.text("class_name");
    Class<? extends LearningRateSchedule> type = SCHEDULES.get(cls);
    if (type == null) {
      throw s.error("unknown learning-rate schedule '" + cls + "'; expected one of "
          + String.join(", ", SCHEDULES.keySet()));
    }
    JsonFields c = s.object("config", "schedule " + cls + " config");
    c.allowOnly(RecordCodec.keys(type.asSubclass(Record.class), Set.of()));
    return (LearningRateSchedule) RecordCodec.decode(type.asSubclass(Record.class), c,
        Map.of());
  }

  private static Metric decodeMetric(JsonFields root, JsonNode m) {
    if (m.isTextual()) {
      try {
        return Metric.of(m.textValue());
      } catch (IllegalArgumentException e) {
        throw root.error(e.getMessage());
      }
    }
    if (!m.isObject()) {
      throw root.error("metrics must be names or {class_name, config} objects but hold "
          + JsonFields.describe(m));
    }
    JsonFields f = JsonFields.of(root.file(), root.where() + " metric", m)
        .allowOnly(Set.of("class_name", "config"));
    String cls = f.text("class_name");
    Class<? extends Metric> type = cls.equals("AUC") ? Auc.class : METRICS.get(cls);
    if (type == null) {
      throw f.error("unknown metric '" + cls + "'; expected a built-in name or one of AUC, "
          + String.join(", ", METRICS.keySet()));
    }
    JsonFields c = f.object("config", "metric " + cls + " config");
    c.allowOnly(RecordCodec.keys(type.asSubclass(Record.class), Set.of()));
    return (Metric) RecordCodec.decode(type.asSubclass(Record.class), c, Map.of());
  }
}
