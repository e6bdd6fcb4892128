package dev.backplane.tfjava;

import dev.backplane.Device;
import dev.backplane.spi.Executable;
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
import org.tensorflow.types.TInt64;

/**
 * A model compiled to one TensorFlow graph and session on one device. A training step is one
 * {@code Session.run}: it feeds the batch, runs the fused update target and fetches the outputs
 * and the loss sum together.
 */
final class TfExecutable implements Executable {
  /** Batches with more input values than this get one-shot tensors instead of cached ones. */
  private static final long CACHED_INPUT_VALUES = 1 << 22;

  private final ModelSpec spec;
  private final Device device;
  private final ModelGraph graph;
  private final Session session;
  private final Consumer<TfExecutable> onClose;
  private final long[] xShape;
  private final Batches batches;
  private final RunnerCache trainRunners;
  private final RunnerCache evalRunners;
  private volatile boolean closed;

  private TfExecutable(ModelSpec spec, TfDevice device, ModelGraph graph, Session session,
      Consumer<TfExecutable> onClose) {
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
        r -> r.fetch(graph.trainOutput).fetch(graph.trainLoss).addTarget(graph.trainStep)));
    evalRunners = new RunnerCache(rows -> new BatchRunner(session, graph, rows, xShape, yPerRow,
        r -> r.fetch(graph.evalOutput).fetch(graph.evalLoss)));
  }

  /**
   * Builds the graph, opens its session and assigns the spec's initial state.
   *
   * @param onClose told when the executable closes (the backend forgets it)
   * @throws dev.backplane.UnsupportedFeatureException for a layer or option this backend lacks
   * @throws dev.backplane.BackendException if TensorFlow fails to build or initialise the model
   */
  static TfExecutable compile(ModelSpec spec, TfDevice device, SessionSettings settings,
      Consumer<TfExecutable> onClose) {
    ModelSupport.check(spec);
    ModelGraph graph;
    try {
      graph = ModelGraph.build(spec, device);
    } catch (RuntimeException e) {
      throw TfErrors.translate("building the graph", spec.name(), device.device(), e);
    }
    Session session = null;
    try {
      session = new Session(graph.graph, false, settings.toConfig());
      TfExecutable executable = new TfExecutable(spec, device, graph, session, onClose);
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

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    int rows = batches.check(x, y, outputs);
    return step("trainStep", trainRunners, rows, x, y, outputs);
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
    runner.load(x, y);
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
    try (BatchRunner runner = new BatchRunner(session, graph, rows, xShape, 0,
        r -> r.fetch(graph.evalOutput))) {
      runner.load(x, null);
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
    state.parameterReads.forEach(runner::fetch);
    state.slotReads.forEach(runner::fetch);
    runner.fetch(state.iterationRead);
    ModelState layout = spec.initialState();
    try (Result result = runner.run()) {
      int i = 0;
      List<NamedArray> parameters = new ArrayList<>();
      for (NamedArray p : layout.parameters()) {
        parameters.add(read(p, result.get(i++)));
      }
      List<NamedArray> slots = new ArrayList<>();
      for (NamedArray s : layout.slots()) {
        slots.add(read(s, result.get(i++)));
      }
      return new ModelState(parameters, slots, ((TInt64) result.get(i)).getLong());
    } catch (RuntimeException e) {
      throw TfErrors.translate("snapshot", spec.name(), device, e);
    }
  }

  @Override
  public void restore(ModelState state) {
    spec.checkCompatible(state);
    checkOpen();
    StateVariables vars = graph.state;
    List<org.tensorflow.Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      feed(runner, vars.parameterFeeds, state.parameters(), feeds);
      feed(runner, vars.slotFeeds, state.slots(), feeds);
      TInt64 iterations = TInt64.scalarOf(state.iterations());
      feeds.add(iterations);
      runner.feed(vars.iterationFeed, iterations).addTarget(vars.restore).run().close();
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
  float[][] gradients(Tensor x, Tensor y) {
    int rows = batches.check(x, y, new float[x.rows() * batches.outputSize()]);
    checkOpen();
    try (BatchRunner runner = new BatchRunner(session, graph, rows, xShape, batches.labelsPerRow(),
        r -> {
      graph.gradients.forEach(r::fetch);
      return r;
    })) {
      runner.load(x, y);
      try (Result result = runner.run()) {
        float[][] grads = new float[graph.gradients.size()][];
        for (int i = 0; i < grads.length; i++) {
          TFloat32 g = (TFloat32) result.get(i);
          grads[i] = new float[(int) g.shape().size()];
          copy(g, grads[i], grads[i].length);
        }
        return grads;
      }
    }
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
    return "TfExecutable[" + spec.name() + " on " + device + "]";
  }
}
