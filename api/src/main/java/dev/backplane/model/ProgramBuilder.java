package dev.backplane.model;

import dev.backplane.ops.DType;
import dev.backplane.ops.Gradients;
import dev.backplane.ops.Graph;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Program;
import dev.backplane.spi.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a model's programs from its layers, loss and optimizer: the forward graph each layer
 * writes with {@link Ops}, the loss, the gradients by {@link Gradients} and the optimizer's
 * update graph. This is where the api decides <em>what</em> every backend computes.
 */
public final class ProgramBuilder {
  private ProgramBuilder() {}

  /** The train, evaluate and predict programs of a spec. */
  public static Programs build(ModelSpec spec) {
    return new Programs(build(spec, Program.Kind.TRAIN), build(spec, Program.Kind.EVALUATE),
        build(spec, Program.Kind.PREDICT));
  }

  /**
   * One program of a spec.
   *
   * @throws dev.backplane.ops.OpException naming the layer and op on a shape error
   */
  public static Program build(ModelSpec spec, Program.Kind kind) {
    if (kind == Program.Kind.APPLY) {
      return buildApply(spec);
    }
    Graph g = new Graph();
    Ops ops = new Ops(g);
    Map<String, Node> inputs = new LinkedHashMap<>();
    Node x = ops.input("x", DType.FLOAT32, batched(spec.inputShape()));
    Node iteration = ops.input("iteration", DType.INT32);
    inputs.put("x", x);
    inputs.put("iteration", iteration);
    LayerContext ctx = new LayerContext(ops,
        kind == Program.Kind.TRAIN || kind == Program.Kind.GRADIENTS, iteration, spec.seed());
    List<Node> trainable = new ArrayList<>();
    Topology topology = spec.topology();
    List<Node> values = new ArrayList<>(unpack(ops, x, topology.inputShapes()));
    List<int[]> shapes = topology.valueShapes(spec.layers());
    List<List<int[]>> firstInputs = topology.layerInputShapes(spec.layers());
    List<Map<String, Node>> weightsOf = new ArrayList<>();
    List<Layer> layers = spec.layers();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      String scope = g.scope(layer.name());
      try {
        Map<String, Node> weights = new LinkedHashMap<>();
        for (ParameterSpec p : layer.parameters(firstInputs.get(i))) {
          Node v = ops.variable(layer.name() + "/" + p.name(), p.shape());
          weights.put(p.name(), v);
          if (p.trainable()) {
            trainable.add(v);
          }
        }
        weightsOf.add(weights);
      } finally {
        g.scope(scope);
      }
    }
    int inputsCount = topology.inputShapes().size();
    for (int c = 0; c < topology.calls().size(); c++) {
      Topology.Call call = topology.calls().get(c);
      Layer layer = layers.get(call.layer());
      String scope = g.scope(layer.name());
      try {
        ctx.enter(layer, call.layer(), weightsOf.get(call.layer()));
        List<Node> in = new ArrayList<>();
        for (int v : call.inputs()) {
          in.add(values.get(v));
        }
        Node h = layer.call(ctx, in);
        checkOutput(layer, h, shapes.get(inputsCount + c));
        values.add(h);
      } finally {
        g.scope(scope);
      }
    }
    Node output = values.get(topology.output());
    if (kind == Program.Kind.PREDICT) {
      return new Program(kind, g, inputs, output, null, Map.of());
    }
    Loss loss = spec.loss();
    int outputs = output.dim(-1);
    Node y = ops.input("y", DType.FLOAT32, -1, loss.labelColumns(outputs));
    inputs.put("y", y);
    g.scope("loss " + loss.kerasName());
    Node labels = y;
    Node weight = null;
    if (loss.sampleWeighted()) {
      // The weight travels as y's last column, so a backend feeds it as part of the labels.
      int k = loss.labelColumns(outputs) - 1;
      labels = ops.slice(y, new int[] {0, 0}, new int[] {-1, k});
      weight = ops.reshape(ops.slice(y, new int[] {0, k}, new int[] {-1, 1}), -1);
    }
    Node perSample = loss.build(ops, labels, output);
    if (perSample.rank() != 1) {
      throw new IllegalArgumentException("Loss " + loss + " must return one value per sample,"
          + " shape (None,), but built " + perSample);
    }
    if (weight != null) {
      // Keras's sum_over_batch_size: sum(w l) / n, the mean below divides by the batch size.
      perSample = ops.mul(perSample, weight);
    }
    Node lossSum = ops.sum(perSample);
    if (kind == Program.Kind.EVALUATE) {
      g.scope("");
      return new Program(kind, g, inputs, output, lossSum, Map.of());
    }
    if (kind == Program.Kind.GRADIENTS) {
      if (!ctx.stateUpdates().isEmpty()) {
        throw new IllegalArgumentException("Model '" + spec.name() + "' updates non-trainable"
            + " state in training " + ctx.stateUpdates().keySet() + " (BatchNormalization moving"
            + " statistics), which a gradients-only step cannot carry; train it with fit() on one"
            + " machine, or drop the layer");
      }
      Map<String, Node> grads = new LinkedHashMap<>();
      List<Node> sums = Gradients.of(lossSum, trainable);
      for (int k = 0; k < trainable.size(); k++) {
        grads.put(trainable.get(k).attrs().s("name"), sums.get(k));
      }
      g.scope("");
      return new Program(kind, g, inputs, output, lossSum, grads);
    }
    List<Node> grads = Gradients.of(ops.mean(perSample), trainable);
    Map<String, Node> updates = optimizerUpdates(spec, ops, trainable, grads, iteration);
    updates.putAll(ctx.stateUpdates());
    g.scope("");
    return new Program(kind, g, inputs, output, lossSum, updates);
  }

  /**
   * The {@link Program.Kind#APPLY} program: the optimizer's update (clipping included) from
   * gradient sums fed as inputs, scaled by the {@code scale} input; the same graph the train
   * program builds after its gradients, so the same update.
   */
  private static Program buildApply(ModelSpec spec) {
    Graph g = new Graph();
    Ops ops = new Ops(g);
    Map<String, Node> inputs = new LinkedHashMap<>();
    inputs.put("x", ops.input("x", DType.FLOAT32, batched(spec.inputShape())));
    Node iteration = ops.input("iteration", DType.INT32);
    inputs.put("iteration", iteration);
    Node scale = ops.input("scale", DType.FLOAT32);
    inputs.put("scale", scale);
    List<Node> trainable = new ArrayList<>();
    List<List<int[]>> firstInputs = spec.topology().layerInputShapes(spec.layers());
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      String scope = g.scope(layer.name());
      try {
        for (ParameterSpec p : layer.parameters(firstInputs.get(i))) {
          if (p.trainable()) {
            trainable.add(ops.variable(layer.name() + "/" + p.name(), p.shape()));
          }
        }
      } finally {
        g.scope(scope);
      }
    }
    List<Node> grads = new ArrayList<>();
    for (Node w : trainable) {
      String name = Program.GRADIENT_INPUT + w.attrs().s("name");
      Node sum = ops.input(name, DType.FLOAT32, w.shape());
      inputs.put(name, sum);
      grads.add(ops.mul(sum, scale));
    }
    Map<String, Node> updates = optimizerUpdates(spec, ops, trainable, grads, iteration);
    g.scope("");
    return new Program(Program.Kind.APPLY, g, inputs, scale, null, updates);
  }

  private static Map<String, Node> optimizerUpdates(ModelSpec spec, Ops ops, List<Node> trainable,
      List<Node> grads, Node iteration) {
    Graph g = ops.graph();
    Optimizer optimizer = spec.optimizer();
    g.scope("optimizer " + optimizer.kerasName());
    grads = optimizer.clipGradients(ops, grads);
    Map<String, Node> updates = new LinkedHashMap<>();
    Node t = ops.add(ops.cast(iteration, DType.FLOAT32), ops.scalar(1));
    for (int k = 0; k < trainable.size(); k++) {
      Node w = trainable.get(k);
      String name = w.attrs().s("name");
      List<Node> slots = new ArrayList<>();
      for (String slot : optimizer.slotNames()) {
        slots.add(ops.variable(name + "/" + slot, w.shape()));
      }
      Optimizer.Update u = optimizer.update(ops, w, grads.get(k), slots, t);
      updates.put(name, u.weight());
      for (int s = 0; s < slots.size(); s++) {
        updates.put(slots.get(s).attrs().s("name"), u.slots().get(s));
      }
    }
    return updates;
  }

  /** The model inputs, sliced out of the packed {@code x} when there are several. */
  private static List<Node> unpack(Ops ops, Node x, List<int[]> inputShapes) {
    if (inputShapes.size() == 1) {
      return List.of(x);
    }
    List<Node> out = new ArrayList<>();
    int offset = 0;
    for (int[] shape : inputShapes) {
      int size = Shapes.size(shape);
      Node part = ops.slice(x, new int[] {0, offset}, new int[] {-1, size});
      out.add(ops.reshape(part, batched(shape)));
      offset += size;
    }
    return out;
  }

  private static int[] batched(int[] shape) {
    int[] out = new int[shape.length + 1];
    out[0] = -1;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  private static void checkOutput(Layer layer, Node h, int[] expected) {
    int[] want = batched(expected);
    if (!Arrays.equals(h.shape(), want)) {
      throw new IllegalArgumentException("Layer '" + layer.name() + "' (" + layer.kerasClass()
          + ") built an output of shape " + Shapes.tuple(h.shape()) + " but its outputShape()"
          + " says " + Shapes.withBatch(expected) + "; make call() and outputShape() agree");
    }
  }
}
