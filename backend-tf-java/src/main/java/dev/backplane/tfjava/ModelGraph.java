package dev.backplane.tfjava;

import dev.backplane.model.Programs;
import dev.backplane.ops.Node;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A model's three programs lowered into one TensorFlow graph: shared placeholders for {@code x},
 * {@code y} and {@code iteration}, the state variables, and per program its output and loss; the
 * training step's updates are one target whose assignments all wait for every variable read, so
 * each new value is computed from the values before the step. Immutable once built (except the
 * test-only gradients, added under the executable's lock), so sessions may run it from many
 * threads.
 */
final class ModelGraph implements AutoCloseable {
  /** What one lowered program fetches and feeds. */
  static final class Lowered {
    final Operand<TFloat32> output;
    final Operand<TFloat32> loss;
    final List<Lowering.RandomSource> randoms;

    Lowered(Operand<TFloat32> output, Operand<TFloat32> loss, List<Lowering.RandomSource> randoms) {
      this.output = output;
      this.loss = loss;
      this.randoms = List.copyOf(randoms);
    }
  }

  final Graph graph;
  final StateVariables state;
  final Lowering lowering;
  final Placeholder<TFloat32> x;
  final Placeholder<TFloat32> y;
  final Placeholder<TInt32> iteration;
  final Lowered train;
  final Lowered evaluate;
  final Lowered predict;
  final Op trainStep;

  @SuppressWarnings("unchecked")
  private ModelGraph(Graph graph, ModelSpec spec, Programs programs, TfDevice device,
      String backendId) {
    this.graph = graph;
    Ops tf = Ops.create(graph).withDevice(device.spec());
    state = new StateVariables(tf.withSubScope("state"), spec.initialState());
    lowering = new Lowering(tf.withSubScope("model"), state, backendId);
    train = lower(programs.train());
    evaluate = lower(programs.evaluate());
    predict = lower(programs.predict());

    List<Op> assigns = new ArrayList<>();
    Ops update = tf.withSubScope("update").withControlDependencies(
        new ArrayList<>(state.reads.values()));
    Map<String, Node> updates = programs.train().updates();
    java.util.Set<String> done = new java.util.HashSet<>();
    for (String name : updates.keySet()) {
      Op fused = fusedAdam(update, name, updates, done);
      if (fused != null) {
        assigns.add(fused);
      }
    }
    for (Map.Entry<String, Node> u : updates.entrySet()) {
      if (done.contains(u.getKey())) {
        continue;
      }
      if (!state.handles.containsKey(u.getKey())) {
        throw new IllegalStateException("The training program updates '" + u.getKey()
            + "', which is not in the model state " + state.names);
      }
      assigns.add(update.assignVariableOp(state.handles.get(u.getKey()),
          lowering.f32(u.getValue())));
    }
    trainStep = tf.withName("train_step").withControlDependencies(assigns).noOp();
    x = (Placeholder<TFloat32>) lowering.input("x");
    y = (Placeholder<TFloat32>) lowering.input("y");
    iteration = (Placeholder<TInt32>) lowering.input("iteration");
  }

  /**
   * The api's Adam update of weight {@code w} and its two slots as TF's fused
   * {@code ResourceApplyAdam} (the same formulas: {@code m += (g - m)(1 - β1)},
   * {@code v += (g² - v)(1 - β2)}, {@code w -= α m / (√v + ε)}; the api's step size α is passed
   * as the learning rate with zero beta powers). {@code null} when the update has another shape.
   */
  private Op fusedAdam(Ops tf, String w, Map<String, Node> updates, java.util.Set<String> done) {
    Node next = updates.get(w);
    if (done.contains(w) || !is(next, "sub") || !isVariable(next.input(0), w)) {
      return null;
    }
    Node div = next.input(1);
    if (!is(div, "div") || !is(div.input(0), "mul") || !is(div.input(1), "add")) {
      return null;
    }
    Node m = div.input(0).input(0);
    Node alpha = div.input(0).input(1);
    Node den = div.input(1);
    if (alpha.rank() != 0 || !is(den.input(0), "sqrt") || scalar(den.input(1)) == null) {
      return null;
    }
    Node v = den.input(0).input(0);
    Node[] mParts = moment(m, updates);
    Node[] vParts = moment(v, updates);
    if (mParts == null || vParts == null || !is(vParts[1], "square")
        || vParts[1].input(0) != mParts[1]) {
      return null;
    }
    Node g = mParts[1];
    String mName = mParts[0].attrs().s("name");
    String vName = vParts[0].attrs().s("name");
    if (!java.util.Arrays.equals(g.shape(), next.shape()) || mName.equals(vName)
        || done.contains(mName) || done.contains(vName) || !state.handles.containsKey(w)) {
      return null;
    }
    float eps = scalar(den.input(1));
    float c1 = scalar(mParts[2]);
    float c2 = scalar(vParts[2]);
    done.add(w);
    done.add(mName);
    done.add(vName);
    return tf.train.resourceApplyAdam(state.handles.get(w), state.handles.get(mName),
        state.handles.get(vName), tf.constant(0f), tf.constant(0f), lowering.f32(alpha),
        tf.constant(1 - c1), tf.constant(1 - c2), tf.constant(eps), lowering.f32(g));
  }

  /** {@code add(s, mul(sub(a, s), c))} updating slot s: {slot, a, c}, or {@code null}. */
  private static Node[] moment(Node n, Map<String, Node> updates) {
    if (!is(n, "add") || !is(n.input(0), "variable") || !is(n.input(1), "mul")) {
      return null;
    }
    Node slot = n.input(0);
    if (updates.get(slot.attrs().s("name")) != n) {
      return null;
    }
    Node mul = n.input(1);
    if (!is(mul.input(0), "sub") || mul.input(0).input(1) != slot || scalar(mul.input(1)) == null
        || !java.util.Arrays.equals(mul.input(0).input(0).shape(), slot.shape())) {
      return null;
    }
    return new Node[] {slot, mul.input(0).input(0), mul.input(1)};
  }

  private static boolean is(Node n, String op) {
    return n.opName().equals(op);
  }

  private static boolean isVariable(Node n, String name) {
    return is(n, "variable") && n.attrs().s("name").equals(name);
  }

  /** The value of a scalar constant, else {@code null}. */
  private static Float scalar(Node n) {
    if (!is(n, "constant") || n.rank() != 0) {
      return null;
    }
    return n.attrs().floats("value")[0];
  }

  private Lowered lower(Program p) {
    List<Node> live = p.liveNodes();
    lowering.lowerAll(live);
    return new Lowered(lowering.f32(p.output()), p.loss() == null ? null : lowering.f32(p.loss()),
        lowering.randomsOf(live));
  }

  /**
   * Lowers a model's programs, placing ops on the device. Closes the graph if building fails.
   */
  static ModelGraph build(ModelSpec spec, Programs programs, TfDevice device, String backendId) {
    Graph graph = new Graph();
    try {
      return new ModelGraph(graph, spec, programs, device, backendId);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  @Override
  public void close() {
    graph.close();
  }
}
