package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.model.Loss;
import dev.backplane.model.Metric;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The training config to and from Backplane's model JSON:
 * {@code {"optimizer": {"class_name": "Adam", "config": {"learning_rate": ..}}, "loss":
 * {"name": "binary_crossentropy", "from_logits": false}, "metrics": ["accuracy"]}}. Optimizers
 * are looked up in a closed list (SGD, Adam, RMSprop) with Keras's field names; every
 * hyper-parameter is written, so a file does not depend on the defaults of the version reading it.
 */
final class TrainingCodec {
  private TrainingCodec() {}

  static ObjectNode encode(TrainingConfig training) {
    ObjectNode root = SafeJson.mapper().createObjectNode();
    ObjectNode optimizer = root.putObject("optimizer");
    ObjectNode c = SafeJson.mapper().createObjectNode();
    Optimizer o = training.optimizer();
    c.put("learning_rate", o.learningRate());
    if (o instanceof SGD sgd) {
      optimizer.put("class_name", "SGD");
      c.put("momentum", sgd.momentum());
      c.put("nesterov", sgd.nesterov());
    } else if (o instanceof Adam adam) {
      optimizer.put("class_name", "Adam");
      c.put("beta_1", adam.beta1());
      c.put("beta_2", adam.beta2());
      c.put("epsilon", adam.epsilon());
    } else if (o instanceof RMSprop rms) {
      optimizer.put("class_name", "RMSprop");
      c.put("rho", rms.rho());
      c.put("momentum", rms.momentum());
      c.put("epsilon", rms.epsilon());
    } else {
      throw new IllegalArgumentException("Cannot save optimizer " + o);
    }
    optimizer.set("config", c);
    ObjectNode loss = root.putObject("loss");
    loss.put("name", training.loss().kerasName());
    loss.put("from_logits", training.loss().fromLogits());
    ArrayNode metrics = root.putArray("metrics");
    training.metrics().forEach(m -> metrics.add(m.kerasName()));
    return root;
  }

  static TrainingConfig decode(JsonFields root) {
    root.allowOnly(Set.of("optimizer", "loss", "metrics"));
    JsonFields opt = root.object("optimizer", "training config optimizer")
        .allowOnly(Set.of("class_name", "config"));
    String cls = opt.text("class_name");
    JsonFields c = opt.object("config", "optimizer " + cls + " config");
    Optimizer optimizer;
    try {
      switch (cls) {
        case "SGD":
          c.allowOnly(Set.of("learning_rate", "momentum", "nesterov"));
          optimizer = new SGD(c.number("learning_rate"), c.number("momentum"),
              c.bool("nesterov", false));
          break;
        case "Adam":
          c.allowOnly(Set.of("learning_rate", "beta_1", "beta_2", "epsilon"));
          optimizer = new Adam(c.number("learning_rate"), c.number("beta_1"), c.number("beta_2"),
              c.number("epsilon"));
          break;
        case "RMSprop":
          c.allowOnly(Set.of("learning_rate", "rho", "momentum", "epsilon"));
          optimizer = new RMSprop(c.number("learning_rate"), c.number("rho"),
              c.number("momentum"), c.number("epsilon"));
          break;
        default:
          throw opt.error("unknown optimizer '" + cls + "'; expected SGD, Adam or RMSprop");
      }
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
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
      if (!m.isTextual()) {
        throw root.error("metrics must be names but hold " + JsonFields.describe(m));
      }
      try {
        metrics.add(Metric.of(m.textValue()));
      } catch (IllegalArgumentException e) {
        throw root.error(e.getMessage());
      }
    }
    return new TrainingConfig(optimizer, loss, metrics);
  }
}
