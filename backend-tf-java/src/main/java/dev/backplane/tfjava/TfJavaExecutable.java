package dev.backplane.tfjava;

import dev.backplane.Device;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Shapes;
import dev.backplane.model.ProgramBuilder;
import dev.backplane.model.Programs;
import dev.backplane.ops.Gradients;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.spi.Executable;
import dev.backplane.spi.OpSupport;
import dev.backplane.spi.Program;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A model's programs lowered to one TensorFlow graph and session on one device. A training step
 * is one {@code Session.run}: it feeds the batch, the iteration count and any host-computed random
 * values, runs the update target (every assignment reading the values before the step) and
 * fetches the outputs and the loss sum together. The iteration count is kept here on the host.
 */
final class TfJavaExecutable implements Executable {
  /** Batches with more input values than this get one-shot tensors instead of cached ones. */
  private static final long CACHED_INPUT_VALUES = 1 << 22;

  private final ModelSpec spec;
  private final Device device;
  private final ModelGraph graph;
  private final Session session;
  private final Consumer<TfJavaExecutable> onClose;
  private final long[] xShape;
  private final Batches batches;
  private final RunnerCache trainRunners;
  private final RunnerCache evalRunners;
  private volatile long iterations;
  private volatile boolean closed;
  private List<Operand<TFloat32>> gradients;

  private TfJavaExecutable(ModelSpec spec, TfDevice device, ModelGraph graph, Session session,
      Consumer<TfJavaExecutable> onClose) {
    this.spec = spec;
    this.device = device.device();
    this.graph = graph;
    this.session = session;
    this.onClose = onClose;
    int[] in = spec.inputShape();
    xShape = new long[in.length];
    for (int i = 0; i < in.length; i++) {
      xShape[i] = in[i];
    }
    batches = new Batches(spec);
    int yPerRow = batches.labelsPerRow();
    trainRunners = new RunnerCache(rows -> new BatchRunner(session, graph, rows, xShape, yPerRow,
        graph.train, r -> r.fetch(graph.train.output).fetch(graph.train.loss)
            .addTarget(graph.trainStep)));
    evalRunners = new RunnerCache(rows -> new BatchRunner(session, graph, rows, xShape, yPerRow,
        graph.evaluate, r -> r.fetch(graph.evaluate.output).fetch(graph.evaluate.loss)));
  }

  /**
   * Lowers the spec's programs to a graph, opens its session and assigns the spec's initial
   * state.
   *
   * @param onClose told when the executable closes (the backend forgets it)
   * @throws dev.backplane.UnsupportedFeatureException for a layer or option this backend lacks
   * @throws dev.backplane.BackendException if TensorFlow fails to build or initialise the model
   */
  static TfJavaExecutable compile(ModelSpec spec, TfDevice device, SessionSettings settings,
      Consumer<TfJavaExecutable> onClose) {
    Programs programs = spec.programs();
    OpSupport.require(TfJavaProvider.ID, programs, Lowering.SUPPORTED);
    checkLabels(spec, programs);
    ModelGraph graph;
    try {
      graph = ModelGraph.build(spec, programs, device, TfJavaProvider.ID);
    } catch (RuntimeException e) {
      throw TfErrors.translate("building the graph", spec.name(), device.device(), e);
    }
    Session session = null;
    try {
      session = new Session(graph.graph, false, settings.toConfig());
      TfJavaExecutable executable = new TfJavaExecutable(spec, device, graph, session, onClose);
      executable.restore(spec.initialState());
      return executable;
    } catch (RuntimeException e) {
      close(session, graph);
      throw TfErrors.translate("initialising the weights", spec.name(), device.device(), e);
    } catch (Error e) {
      close(session, graph);
      throw e;
    }
  }

  /**
   * The labels a batch carries ({@link Batches#labelsPerRow}) must fill the programs' label input:
   * a categorical loss over an output with several feature axes labels only its last axis.
   */
  private static void checkLabels(ModelSpec spec, Programs programs) {
    int perRow = new Batches(spec).labelsPerRow();
    Node y = programs.train().input("y");
    long size = 1;
    for (int i = 1; i < y.rank(); i++) {
      size *= y.dim(i);
    }
    if (size != perRow) {
      int[] out = spec.outputShapeOf(spec.layers().size() - 1);
      throw new UnsupportedFeatureException(TfJavaProvider.ID, "loss " + spec.loss()
          + " on an output of shape " + Shapes.withBatch(out) + ": its labels take " + size
          + " values per row but batches carry " + perRow
          + " (more than one feature axis); add a Flatten layer before the output");
    }
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    int rows = batches.check(x, y, outputs);
    double loss = step("trainStep", trainRunners, rows, x, y, outputs);
    iterations++;
    return loss;
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    int rows = batches.check(x, y, outputs);
    return step("evaluateStep", evalRunners, rows, x, y, outputs);
  }

  private double step(String what, RunnerCache runners, int rows, Tensor x, Tensor y,
      float[] outputs) {
    if (rows == 0) {
      throw new IllegalArgumentException(what + " needs at least one row; the batch is empty");
    }
    checkOpen();
    if ((long) rows * x.rowSize() > CACHED_INPUT_VALUES) {
      // A whole data set in one call: do not keep a tensor that size alive afterwards.
      try (BatchRunner oneShot = runners.create(rows)) {
        return run(what, oneShot, rows, x, y, outputs);
      }
    }
    return run(what, runners.forRows(rows), rows, x, y, outputs);
  }

  private double run(String what, BatchRunner runner, int rows, Tensor x, Tensor y,
      float[] outputs) {
    runner.load(x, y, iterations);
    try (Result result = runner.run()) {
      copy(result.get(0), outputs, rows * batches.outputSize());
      return ((TFloat32) result.get(1)).getFloat();
    } catch (RuntimeException e) {
      throw TfErrors.translate(what, spec.name(), device, e);
    }
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    int rows = batches.checkInput(x, outputs);
    if (rows == 0) {
      return;
    }
    checkOpen();
    // Thread-safe: a runner and tensors of its own per call; Session.run is thread-safe.
    try (BatchRunner runner = new BatchRunner(session, graph, rows, xShape, 0, graph.predict,
        r -> r.fetch(graph.predict.output))) {
      runner.load(x, null, iterations);
      try (Result result = runner.run()) {
        copy(result.get(0), outputs, rows * batches.outputSize());
      }
    } catch (IllegalStateException e) {
      checkOpen(); // a concurrent close: report it as such
      throw e;
    } catch (RuntimeException e) {
      throw TfErrors.translate("predict", spec.name(), device, e);
    }
  }

  @Override
  public ModelState snapshot() {
    checkOpen();
    StateVariables state = graph.state;
    Session.Runner runner = session.runner();
    state.reads.values().forEach(runner::fetch);
    ModelState layout = spec.initialState();
    long at = iterations;
    try (Result result = runner.run()) {
      int[] i = {0};
      return new ModelState(read(layout.parameters(), result, i),
          read(layout.variables(), result, i), read(layout.slots(), result, i), at);
    } catch (RuntimeException e) {
      throw TfErrors.translate("snapshot", spec.name(), device, e);
    }
  }

  private static List<NamedArray> read(List<NamedArray> layout, Result result, int[] next) {
    List<NamedArray> out = new ArrayList<>(layout.size());
    for (NamedArray a : layout) {
      out.add(read(a, result.get(next[0]++)));
    }
    return out;
  }

  @Override
  public void restore(ModelState state) {
    spec.checkCompatible(state);
    checkOpen();
    StateVariables vars = graph.state;
    List<org.tensorflow.Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      feed(runner, vars.feeds, StateVariables.all(state), feeds);
      runner.addTarget(vars.restore).run().close();
      iterations = state.iterations();
    } catch (RuntimeException e) {
      throw TfErrors.translate("restore", spec.name(), device, e);
    } finally {
      feeds.forEach(org.tensorflow.Tensor::close);
    }
  }

  /**
   * The gradients of the batch-mean training loss, in parameter order, without changing any
   * state. For tests: the finite-difference checks compare these with the loss.
   */
  synchronized float[][] gradients(Tensor x, Tensor y) {
    int rows = batches.check(x, y, new float[x.rows() * batches.outputSize()]);
    checkOpen();
    if (gradients == null) {
      gradients = buildGradients();
    }
    List<Operand<TFloat32>> fetches = gradients;
    try (BatchRunner runner = new BatchRunner(session, graph, rows, xShape, batches.labelsPerRow(),
        graph.train, r -> {
      fetches.forEach(r::fetch);
      return r;
    })) {
      runner.load(x, y, iterations);
      try (Result result = runner.run()) {
        float[][] grads = new float[fetches.size()][];
        for (int i = 0; i < grads.length; i++) {
          TFloat32 g = (TFloat32) result.get(i);
          grads[i] = new float[(int) g.shape().size()];
          copy(g, grads[i], grads[i].length);
        }
        return grads;
      }
    }
  }

  /**
   * The api's gradients of the batch-mean loss of the training-mode forward pass, lowered into
   * this graph (TensorFlow sessions run ops added after they were created).
   */
  private List<Operand<TFloat32>> buildGradients() {
    Program p = ProgramBuilder.build(spec, Program.Kind.TRAIN);
    Ops ops = new Ops(p.graph());
    List<Node> wrt = parameterNodes(p, ops, spec.initialState().parameters());
    // Built after the variables: the gradient walk covers the nodes before its target.
    Node mean = ops.div(p.loss(), ops.numel(p.input("x"), new int[] {0}));
    List<Node> grads = Gradients.of(mean, wrt);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < grads.size(); i++) {
      Node g = grads.get(i);
      if (g == null) {
        g = ops.zerosLike(wrt.get(i));
      }
      graph.lowering.lowerAll(List.of(g));
      out.add(graph.lowering.f32(g));
    }
    return out;
  }

  /** The program's variable node of each parameter, new ones for those it does not read. */
  static List<Node> parameterNodes(Program p, Ops ops, List<NamedArray> parameters) {
    java.util.Map<String, Node> byName = new java.util.HashMap<>();
    for (int i = 0; i < p.graph().size(); i++) {
      Node n = p.graph().node(i);
      if (n.opName().equals("variable")) {
        byName.putIfAbsent(n.attrs().s("name"), n);
      }
    }
    List<Node> out = new ArrayList<>();
    for (NamedArray a : parameters) {
      Node n = byName.get(a.name());
      out.add(n != null ? n : ops.variable(a.name(), a.shape()));
    }
    return out;
  }

  private static void feed(Session.Runner runner, List<? extends Operand<TFloat32>> placeholders,
      List<NamedArray> arrays, List<org.tensorflow.Tensor> feeds) {
    for (int i = 0; i < arrays.size(); i++) {
      NamedArray a = arrays.get(i);
      TFloat32 t = TFloat32.tensorOf(StateVariables.shapeOf(a.shape()),
          DataBuffers.of(a.values(), true, false));
      feeds.add(t);
      runner.feed(placeholders.get(i), t);
    }
  }

  private static NamedArray read(NamedArray layout, org.tensorflow.Tensor t) {
    float[] values = new float[layout.values().length];
    copy(t, values, values.length);
    return new NamedArray(layout.name(), layout.shape(), values);
  }

  private static void copy(org.tensorflow.Tensor t, float[] into, int count) {
    t.asRawTensor().data().asFloats().read(into, 0, count);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("The executable of model '" + spec.name() + "' on "
          + device + " is closed");
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      trainRunners.close();
      evalRunners.close();
    } finally {
      close(session, graph);
      onClose.accept(this);
    }
  }

  private static void close(Session session, ModelGraph graph) {
    try {
      if (session != null) {
        session.close();
      }
    } finally {
      graph.close();
    }
  }

  @Override
  public String toString() {
    return "TfJavaExecutable[" + spec.name() + " on " + device + "]";
  }
}
