package dev.backplane.io.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.io.JsonFields;
import dev.backplane.io.ModelConfig;
import dev.backplane.io.ModelFileException;
import dev.backplane.model.Layer;
import dev.backplane.model.Shapes;
import dev.backplane.spi.Topology;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a Keras functional model config ({@code class_name} {@code "Functional"}, or
 * {@code "Model"} in older Keras 2) into a {@link KerasArchitecture} with a {@link Topology}.
 *
 * <p>{@code config.layers[*]} are {@code {"class_name", "config", "name", "inbound_nodes"}};
 * each inbound node is one call of the layer, its inputs given as references
 * {@code (layer name, node index, tensor index)}:
 *
 * <ul>
 *   <li>Keras 3: {@code {"args": [<tensor> or [<tensor>, ..]], "kwargs": {}}} with
 *       {@code <tensor> = {"class_name": "__keras_tensor__", "config": {"keras_history":
 *       ["dense", 0, 0]}}};
 *   <li>Keras 2: {@code [["dense", 0, 0, {}], ..]}.
 * </ul>
 *
 * <p>{@code input_layers} and {@code output_layers} are lists of such references (Keras 3 writes
 * a single one unwrapped). The graph is walked from the output, iteratively (no recursion, so
 * deep models cannot overflow the stack) and in time linear in the number of layers and
 * references; cycles, references to unknown layers, outputs that depend on an input not in
 * {@code input_layers}, layers not connected to the output, several outputs and multi-output
 * layers are errors naming the layer. Values follow {@link Topology}: the model inputs in
 * {@code input_layers} order, then one per call in topological order; the layers keep the
 * file's order (so Keras 3 weights, numbered per class in that order, match).
 */
final class KerasFunctionalParser {
  private KerasFunctionalParser() {}

  private record Ref(String layer, int node, int tensor) {
    String describe() {
      return "['" + layer + "', " + node + ", " + tensor + "]";
    }
  }

  private static final class Entry {
    final int index;
    final String cls;
    final String name;
    final JsonFields config;
    final List<List<Ref>> nodes = new ArrayList<>();
    int[] inputShape; // InputLayer only
    int inputValue = -1; // InputLayer listed in input_layers
    Layer layer; // mapped at its first call
    int[] nodeValues; // value id per node, -1 until emitted
    byte[] nodeState; // 0 new, 1 in progress, 2 done

    Entry(int index, String cls, String name, JsonFields config) {
      this.index = index;
      this.cls = cls;
      this.name = name;
      this.config = config;
    }

    boolean isInput() {
      return cls.equals("InputLayer");
    }

    String describe() {
      return "layer '" + name + "' (" + cls + ")";
    }
  }

  static KerasArchitecture parse(Path file, JsonFields model, String cls, List<String> notes) {
    JsonFields c = JsonFields.of(file, cls + " config", model.require("config"));
    String modelName = c.text("name", "functional");
    JsonNode entries = c.array("layers");
    if (entries.size() > ModelConfig.MAX_LAYERS) {
      throw c.error("the model has " + entries.size() + " layers, more than the "
          + ModelConfig.MAX_LAYERS + " a model file may hold");
    }
    List<Entry> all = new ArrayList<>(entries.size());
    Map<String, Entry> byName = new HashMap<>();
    long nodes = 0;
    long refs = 0;
    for (int i = 0; i < entries.size(); i++) {
      JsonFields entry = JsonFields.of(file, "Keras layer " + i, entries.get(i));
      String layerCls = entry.text("class_name");
      KerasConfigParser.checkBuiltIn(entry, layerCls);
      JsonFields raw = entry.object("config", "Keras layer " + i + " (" + layerCls
          + ") config");
      String name = entry.has("name") ? entry.text("name") : raw.text("name");
      Entry e = new Entry(i, layerCls, name, JsonFields.of(file, "layer '" + name + "' ("
          + layerCls + ")", raw.node()));
      if (byName.put(name, e) != null) {
        throw e.config.error("two layers are named '" + name + "'");
      }
      all.add(e);
      JsonNode inbound = entry.get("inbound_nodes");
      if (inbound != null) {
        if (!inbound.isArray()) {
          throw e.config.error("inbound_nodes must be an array but is "
              + JsonFields.describe(inbound));
        }
        for (int n = 0; n < inbound.size(); n++) {
          List<Ref> in = node(e, n, inbound.get(n));
          refs += in.size();
          e.nodes.add(in);
        }
        nodes += inbound.size();
      }
      if (nodes > ModelConfig.MAX_CALLS || refs > ModelConfig.MAX_EDGES) {
        throw c.error("the model has more than " + ModelConfig.MAX_CALLS + " layer calls or "
            + ModelConfig.MAX_EDGES + " call inputs, more than a model file may hold");
      }
      e.nodeValues = new int[e.nodes.size()];
      Arrays.fill(e.nodeValues, -1);
      e.nodeState = new byte[e.nodes.size()];
      if (e.isInput()) {
        if (!e.nodes.isEmpty()) {
          throw e.config.error("an InputLayer must have no inbound_nodes");
        }
        e.inputShape = KerasConfigParser.inputLayerShape(e.config);
      }
    }

    List<Ref> inputRefs = refList(c, "input_layers");
    List<Ref> outputRefs = refList(c, "output_layers");
    if (outputRefs.size() != 1) {
      throw c.error(outputRefs.isEmpty() ? "output_layers is empty; the model has no output"
          : "the model has " + outputRefs.size() + " outputs "
              + outputRefs.stream().map(Ref::describe).toList() + "; models with more than"
              + " one output are not supported yet");
    }
    if (inputRefs.isEmpty()) {
      throw c.error("input_layers is empty; the model has no input");
    }
    if (inputRefs.size() > ModelConfig.MAX_INPUTS) {
      throw c.error("the model has " + inputRefs.size() + " inputs, more than the "
          + ModelConfig.MAX_INPUTS + " a model file may hold");
    }
    List<int[]> valueShapes = new ArrayList<>();
    List<int[]> inputShapes = new ArrayList<>();
    for (Ref r : inputRefs) {
      Entry e = byName.get(r.layer());
      if (e == null) {
        throw c.error("input_layers refers to unknown layer '" + r.layer() + "'");
      }
      if (!e.isInput() || r.node() != 0 || r.tensor() != 0) {
        throw c.error("input_layers entry " + r.describe() + " must name an InputLayer"
            + " (node 0, tensor 0) but " + e.describe() + " is not one");
      }
      if (e.inputValue >= 0) {
        throw c.error("input_layers lists InputLayer '" + e.name + "' twice");
      }
      e.inputValue = valueShapes.size();
      valueShapes.add(e.inputShape);
      inputShapes.add(e.inputShape);
    }

    // Iterative depth-first walk from the output: emits the calls in topological order.
    List<int[]> callSpecs = new ArrayList<>(); // {entry index, node index}
    List<List<Integer>> callInputs = new ArrayList<>();
    Ref out = outputRefs.get(0);
    Entry outEntry = byName.get(out.layer());
    if (outEntry == null) {
      throw c.error("output_layers refers to unknown layer '" + out.layer() + "'");
    }
    int output = resolveInput(c, null, out, outEntry);
    if (output < 0) {
      ArrayDeque<int[]> stack = new ArrayDeque<>();
      stack.push(new int[] {outEntry.index, out.node()});
      while (!stack.isEmpty()) {
        int[] top = stack.peek();
        Entry e = all.get(top[0]);
        int n = top[1];
        if (e.nodeState[n] == 2) {
          stack.pop();
          continue;
        }
        List<Ref> in = e.nodes.get(n);
        if (e.nodeState[n] == 0) {
          e.nodeState[n] = 1;
          for (Ref r : in) {
            Entry p = producer(e, n, r, byName);
            if (resolveInput(c, e, r, p) >= 0) {
              continue;
            }
            if (p.nodeState[r.node()] == 1) {
              throw e.config.error("inbound_nodes form a cycle: node " + n + " reads "
                  + r.describe() + ", which depends on this layer's own output");
            }
            if (p.nodeState[r.node()] == 0) {
              stack.push(new int[] {p.index, r.node()});
            }
          }
          continue;
        }
        stack.pop();
        e.nodeState[n] = 2;
        List<Integer> ids = new ArrayList<>(in.size());
        List<int[]> shapes = new ArrayList<>(in.size());
        for (Ref r : in) {
          Entry p = byName.get(r.layer());
          int id = p.isInput() ? p.inputValue : p.nodeValues[r.node()];
          ids.add(id);
          shapes.add(valueShapes.get(id));
        }
        if (e.layer == null) {
          e.layer = KerasLayerMapper.map(e.cls, e.name, e.config, shapes.get(0).length, notes);
        }
        int[] shape;
        try {
          shape = e.layer.outputShape(shapes);
        } catch (IllegalArgumentException ex) {
          throw e.config.error("cannot take input" + (shapes.size() == 1 ? "" : "s")
              + " of shape " + shapes.stream().map(Shapes::withBatch).toList() + ": "
              + ex.getMessage());
        }
        e.nodeValues[n] = valueShapes.size();
        valueShapes.add(shape);
        callSpecs.add(new int[] {e.index, n});
        callInputs.add(ids);
      }
      output = outEntry.nodeValues[out.node()];
    }

    // The layers in file order; every non-input layer must be part of the graph.
    List<KerasLayer> layers = new ArrayList<>();
    int[] apiIndex = new int[all.size()];
    for (Entry e : all) {
      if (e.isInput()) {
        continue;
      }
      if (e.layer == null) {
        throw e.config.error("is not connected to the model output '" + out.layer() + "'"
            + (e.nodes.isEmpty() ? " (it has no inbound_nodes)" : "") + "; Backplane imports"
            + " only layers the output depends on");
      }
      for (int n = 0; n < e.nodes.size(); n++) {
        if (e.nodeState[n] != 2) {
          throw e.config.error("call " + n + " (inbound node " + n + ") is not connected to the"
              + " model output '" + out.layer() + "'; Backplane imports only calls the output"
              + " depends on");
        }
      }
      apiIndex[e.index] = layers.size();
      layers.add(new KerasLayer(e.cls, e.name, e.layer));
    }
    if (layers.isEmpty()) {
      throw new ModelFileException(file, "the Keras model has no layers");
    }
    List<Topology.Call> calls = new ArrayList<>(callSpecs.size());
    for (int i = 0; i < callSpecs.size(); i++) {
      calls.add(new Topology.Call(apiIndex[callSpecs.get(i)[0]], callInputs.get(i)));
    }
    Topology topology;
    try {
      topology = new Topology(inputShapes, calls, output);
    } catch (IllegalArgumentException ex) {
      throw c.error(ex.getMessage());
    }
    return new KerasArchitecture(modelName, topology.packedInputShape(), layers, topology);
  }

  /** The producing layer of a reference, checked. */
  private static Entry producer(Entry consumer, int node, Ref r, Map<String, Entry> byName) {
    Entry p = byName.get(r.layer());
    if (p == null) {
      throw consumer.config.error("inbound node " + node + " refers to unknown layer '"
          + r.layer() + "'");
    }
    return p;
  }

  /**
   * The value id of a reference to a model input; -1 for a reference to a layer call (checked
   * to exist).
   */
  private static int resolveInput(JsonFields model, Entry consumer, Ref r, Entry p) {
    String who = consumer == null ? "the model output" : consumer.describe();
    if (r.tensor() != 0) {
      throw model.error(who + " reads output " + r.tensor() + " of " + p.describe() + " ("
          + r.describe() + "); layers with several outputs are not supported");
    }
    if (p.isInput()) {
      if (r.node() != 0) {
        throw model.error(who + " reads node " + r.node() + " of InputLayer '" + p.name
            + "', which has only node 0");
      }
      if (p.inputValue < 0) {
        throw model.error("graph disconnected: " + who + " depends on InputLayer '" + p.name
            + "', which is not among the model's input_layers");
      }
      return p.inputValue;
    }
    if (r.node() < 0 || r.node() >= p.nodes.size()) {
      throw model.error("graph disconnected: " + who + " reads " + r.describe() + " but "
          + p.describe() + " has " + (p.nodes.isEmpty() ? "no inbound nodes (it is never"
              + " called)" : "only " + p.nodes.size() + " inbound node(s)"));
    }
    return -1;
  }

  /** One inbound node: the references of its inputs, in order. */
  private static List<Ref> node(Entry e, int n, JsonNode node) {
    String where = "inbound node " + n;
    List<Ref> refs = new ArrayList<>();
    if (node.isObject()) { // Keras 3
      JsonFields f = JsonFields.of(e.config.file(), e.config.where() + " " + where, node);
      JsonNode args = f.array("args");
      if (args.size() != 1) {
        throw f.error("args must hold one tensor or one list of tensors but holds "
            + args.size() + " values");
      }
      JsonNode kwargs = f.get("kwargs");
      if (kwargs != null) {
        JsonFields k = JsonFields.of(f.file(), f.where() + " kwargs", kwargs);
        for (String key : k.keys()) {
          JsonNode v = k.get(key);
          if (v != null && !(key.equals("training") && v.isBoolean())
              && !(key.equals("mask") && v.isNull())) {
            throw k.error("call argument '" + key + "' = " + JsonFields.describe(v)
                + " is not supported");
          }
        }
      }
      JsonNode a = args.get(0);
      if (a.isArray()) {
        for (JsonNode t : a) {
          refs.add(tensor(f, t));
        }
      } else {
        refs.add(tensor(f, a));
      }
    } else if (node.isArray()) { // Keras 2
      for (JsonNode r : node) {
        refs.add(ref(e.config, where, r));
      }
    } else {
      throw e.config.error(where + " must be an object (Keras 3) or a list (Keras 2) but is "
          + JsonFields.describe(node));
    }
    if (refs.isEmpty()) {
      throw e.config.error(where + " has no inputs");
    }
    return refs;
  }

  private static Ref tensor(JsonFields f, JsonNode t) {
    JsonFields tf = JsonFields.of(f.file(), f.where() + " argument", t);
    if (!"__keras_tensor__".equals(tf.text("class_name"))) {
      throw tf.error("argument of class '" + tf.text("class_name") + "' is not supported;"
          + " expected a __keras_tensor__");
    }
    JsonFields cf = tf.object("config", f.where() + " tensor config");
    return ref(cf, "keras_history", cf.require("keras_history"));
  }

  /** {@code ["dense", 0, 0]} or {@code ["dense", 0, 0, {}]}. */
  private static Ref ref(JsonFields where, String what, JsonNode r) {
    if (!r.isArray() || r.size() < 3 || r.size() > 4 || !r.get(0).isTextual()
        || !r.get(1).isIntegralNumber() || !r.get(2).isIntegralNumber()
        || !r.get(1).canConvertToInt() || !r.get(2).canConvertToInt()) {
      throw where.error(what + " must be a reference [layer name, node index, tensor index]"
          + " but is " + JsonFields.describe(r));
    }
    if (r.size() == 4 && !(r.get(3).isNull() || r.get(3).isObject() && r.get(3).isEmpty())) {
      throw where.error(what + " " + JsonFields.describe(r) + " passes call arguments, which"
          + " are not supported");
    }
    return new Ref(r.get(0).textValue(), r.get(1).intValue(), r.get(2).intValue());
  }

  /** {@code input_layers} / {@code output_layers}: a list of references, or one reference. */
  private static List<Ref> refList(JsonFields c, String key) {
    JsonNode list = c.array(key);
    List<Ref> out = new ArrayList<>();
    if (list.size() > 0 && list.get(0).isTextual()) {
      out.add(ref(c, key, list));
      return out;
    }
    if (list.size() > ModelConfig.MAX_INPUTS) {
      throw c.error(key + " has " + list.size() + " entries, more than the "
          + ModelConfig.MAX_INPUTS + " supported");
    }
    for (JsonNode r : list) {
      out.add(ref(c, key, r));
    }
    return out;
  }
}
