package dev.backplane.accelerate;

import dev.backplane.Device;
import dev.backplane.model.Programs;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model compiled by the accelerate backend: its train, evaluate and predict programs compiled
 * by {@link GraphCompiler}, and the model's variables (weights, moving statistics, optimizer
 * slots) as {@link Mat}s the engine multiplies in place. Training and evaluation reuse one
 * {@link Frame} each, sized to the largest batch seen (grown when a larger batch arrives), so a
 * steady-state {@link #trainStep} allocates nothing; updates are applied by exchanging the new
 * value's buffer with the variable's. Each {@link #predict} call takes a frame of its own from
 * {@link PredictPasses} and only reads the variables, so predictions may run concurrently.
 */
final class AccelerateExecutable implements Executable {
  /** Rows per chunk of a prediction, bounding its scratch memory. */
  static final int PREDICT_CHUNK = 1024;

  private final Device device;
  private final ModelSpec spec;
  private final MatrixEngine engine;
  private final ComputePool pool;
  private final Runnable onClose;
  private final GraphCompiler.Compiled train;
  private final GraphCompiler.Compiled evaluate;
  private final GraphCompiler.Compiled predict;
  /** The model's variables, in state order (parameters, variables, slots). */
  private final String[] names;
  private final int[][] shapes;
  private final Mat[] state;
  /** Per program: for each of its variable nodes, the index in {@link #state}. */
  private final int[] trainVars;
  private final int[] evaluateVars;
  private final int[] predictVars;
  /** The train program's updates: state index, node id, whether swapped, whether flushed. */
  private final int[] updateState;
  private final int[] updateNode;
  private final boolean[] updateSwap;
  private final boolean[] updateFlush;
  private final float[] copyStage;
  private final int parameterCount;
  private final int variableCount;
  private final int inputSize;
  private final int outputSize;
  private final int labelSize;
  private final PredictPasses predictFrames;
  private final AtomicInteger predicting = new AtomicInteger();
  private final float[] scratch;
  private Frame trainFrame;
  private Frame evaluateFrame;
  private final Mat[] trainBound;
  private final Mat[] evaluateBound;
  private long iterations;
  private volatile boolean closed;
  /** The data-parallel split step, compiled on first use. */
  private GradientSteps split;

  AccelerateExecutable(Device device, ModelSpec spec, Programs programs, MatrixEngine engine,
      ComputePool pool, Runnable onClose) {
    this.device = device;
    this.spec = spec;
    this.engine = engine;
    this.pool = pool;
    this.onClose = onClose;
    this.train = GraphCompiler.compile(programs.train());
    this.evaluate = GraphCompiler.compile(programs.evaluate());
    this.predict = GraphCompiler.compile(programs.predict());
    ModelState initial = spec.initialState();
    List<NamedArray> all = new ArrayList<>(initial.parameters());
    all.addAll(initial.variables());
    all.addAll(initial.slots());
    this.parameterCount = initial.parameters().size();
    this.variableCount = initial.variables().size();
    names = new String[all.size()];
    shapes = new int[all.size()][];
    state = new Mat[all.size()];
    Map<String, Integer> index = new HashMap<>();
    Set<String> slotNames = new HashSet<>();
    for (NamedArray a : initial.slots()) {
      slotNames.add(a.name());
    }
    int maxSize = 1;
    int maxCols = 1;
    try {
      for (int i = 0; i < all.size(); i++) {
        NamedArray a = all.get(i);
        names[i] = a.name();
        shapes[i] = a.shape().clone();
        index.put(a.name(), i);
        int cols = a.shape().length == 0 ? 1 : a.shape()[a.shape().length - 1];
        int size = FlatKernels.size(a.shape());
        state[i] = engine.allocate(Math.max(1, cols == 0 ? 0 : size / cols), Math.max(1, cols));
        maxSize = Math.max(maxSize, size);
        maxCols = Math.max(maxCols, cols);
      }
      this.trainVars = stateIndices(train, index);
      this.evaluateVars = stateIndices(evaluate, index);
      this.predictVars = stateIndices(predict, index);
      Map<String, dev.backplane.ops.Node> updates = programs.train().updates();
      updateState = new int[updates.size()];
      updateNode = new int[updates.size()];
      updateSwap = new boolean[updates.size()];
      updateFlush = new boolean[updates.size()];
      Set<Integer> used = new HashSet<>();
      int u = 0;
      for (Map.Entry<String, dev.backplane.ops.Node> e : updates.entrySet()) {
        Integer s = index.get(e.getKey());
        if (s == null) {
          throw new IllegalArgumentException("Program updates unknown variable '" + e.getKey()
              + "'");
        }
        updateState[u] = s;
        updateNode[u] = e.getValue().id();
        String op = e.getValue().opName();
        updateSwap[u] = used.add(e.getValue().id()) && !op.equals("variable")
            && !op.equals("input") && !op.equals("constant");
        updateFlush[u] = slotNames.contains(e.getKey());
        u++;
      }
      // Adam's fused step flushes its own slot outputs (same bits as flushing them after).
      java.util.Map<Integer, GraphCompiler.AdamStep> adamSlots = new HashMap<>();
      for (GraphCompiler.Step st : train.steps) {
        if (st instanceof GraphCompiler.AdamStep as) {
          adamSlots.put(as.m, as);
          adamSlots.put(as.v, as);
        }
      }
      for (int i = 0; i < updateNode.length; i++) {
        GraphCompiler.AdamStep as = adamSlots.get(updateNode[i]);
        if (as == null || !updateSwap[i]) {
          continue;
        }
        int other = updateNode[i] == as.m ? as.v : as.m;
        boolean bothFlushed = false;
        for (int j = 0; j < updateNode.length; j++) {
          if (updateNode[j] == other && updateFlush[j] && updateSwap[j]) {
            bothFlushed = updateFlush[i];
          }
        }
        if (bothFlushed) {
          as.flushSlots = true;
        }
      }
      for (int i = 0; i < updateNode.length; i++) {
        GraphCompiler.AdamStep as = adamSlots.get(updateNode[i]);
        if (as != null && as.flushSlots) {
          updateFlush[i] = false;
        }
      }
      this.copyStage = new float[maxSize];
      this.scratch = new float[Math.max(maxCols, 1)];
      this.inputSize = spec.inputSize();
      this.outputSize = spec.outputSize();
      Program tp = programs.train();
      int[] ys = tp.input("y").shape();
      this.labelSize = ys[ys.length - 1];
      this.trainBound = new Mat[train.variableIds.length];
      this.evaluateBound = new Mat[evaluate.variableIds.length];
      this.predictFrames = new PredictPasses(PREDICT_CHUNK,
          capacity -> new Frame(predict, engine, pool, capacity));
      load(initial);
    } catch (RuntimeException | Error e) {
      for (Mat m : state) {
        if (m != null) {
          m.close();
        }
      }
      throw e;
    }
  }

  private int[] stateIndices(GraphCompiler.Compiled c, Map<String, Integer> index) {
    int[] out = new int[c.variableNames.length];
    for (int i = 0; i < out.length; i++) {
      Integer s = index.get(c.variableNames[i]);
      if (s == null) {
        throw new IllegalArgumentException("Program reads variable '" + c.variableNames[i]
            + "' that model '" + spec.name() + "' has no state for");
      }
      out[i] = s;
    }
    return out;
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    int n = checkBatch(x, y, outputs);
    if (trainFrame == null || trainFrame.capacity < n) {
      Frame old = trainFrame;
      trainFrame = null;
      if (old != null) {
        old.close();
      }
      trainFrame = new Frame(train, engine, pool, n);
    }
    Frame f = trainFrame;
    double loss = forward(f, trainVars, trainBound, x, y, n, outputs);
    for (int u = 0; u < updateState.length; u++) {
      int id = updateNode[u];
      int s = updateState[u];
      if (updateFlush[u]) {
        flush(f.buf[id], f.cols[id], f.rows[id]);
      }
      if (updateSwap[u]) {
        state[s] = f.swap(id, state[s]);
      } else {
        FlatKernels.readFlat(f.buf[id], f.cols[id], f.size[id], copyStage, scratch);
        int cols = shapes[s].length == 0 ? 1 : shapes[s][shapes[s].length - 1];
        FlatKernels.writeFlat(state[s], cols, f.size[id], copyStage, 0, scratch);
      }
    }
    iterations++;
    return loss;
  }

  @Override
  public double computeGradients(Tensor x, Tensor y, float[] outputs, float[][] gradients) {
    int n = checkBatch(x, y, outputs);
    return split().computeGradients(x, y, n, outputs, gradients, state, iterations);
  }

  @Override
  public void applyGradients(float[][] gradientSums, int samples) {
    ensureOpen();
    split().apply(gradientSums, samples, state, iterations);
    iterations++;
  }

  private GradientSteps split() {
    if (split == null) {
      split = new GradientSteps(spec, names, shapes, engine, pool);
    }
    return split;
  }

  private void flush(Mat m, int cols, int rows) {
    for (int r = 0; r < rows; r++) {
      float[] row = m.row(r, scratch);
      Flush.tiny(row, cols);
      m.commit(r, row);
    }
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    int n = checkBatch(x, y, outputs);
    if (evaluateFrame == null || evaluateFrame.capacity < n) {
      Frame old = evaluateFrame;
      evaluateFrame = null;
      if (old != null) {
        old.close();
      }
      evaluateFrame = new Frame(evaluate, engine, pool, n);
    }
    return forward(evaluateFrame, evaluateVars, evaluateBound, x, y, n, outputs);
  }

  private double forward(Frame f, int[] vars, Mat[] bound, Tensor x, Tensor y, int n,
      float[] outputs) {
    GraphCompiler.Compiled c = f.compiled;
    f.resolve(n);
    for (int i = 0; i < vars.length; i++) {
      bound[i] = state[vars[i]];
    }
    f.bind(bound);
    f.iteration = iterations;
    FlatKernels.writeFlat(f.buf[c.xId], f.cols[c.xId], f.size[c.xId], x.data(), x.offset(),
        f.slotScratch[0][0]);
    FlatKernels.writeFlat(f.buf[c.yId], f.cols[c.yId], f.size[c.yId], y.data(), y.offset(),
        f.slotScratch[0][0]);
    setIteration(f);
    f.run();
    FlatKernels.readFlat(f.buf[c.outputId], f.cols[c.outputId], f.size[c.outputId], outputs,
        f.slotScratch[0][0]);
    return f.buf[c.lossId].row(0, f.slotScratch[0][0])[0];
  }

  private void setIteration(Frame f) {
    int id = f.compiled.iterationId;
    if (id >= 0 && f.buf[id] != null) {
      float[] row = f.buf[id].target(0, f.slotScratch[0][0]);
      row[0] = (float) (int) f.iteration;
      f.buf[id].commit(0, row);
    }
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    ensureOpen();
    int n = checkInput(x);
    checkOutputs(outputs, n);
    if (n == 0) {
      return;
    }
    // Two or more callers at once keep the cores busy themselves: each runs on its own thread
    // rather than all of them plus the pool's workers contending for the cores.
    boolean crowded = predicting.incrementAndGet() > 1;
    if (crowded) {
      pool.beginSolo();
    }
    try {
      Frame f = predictFrames.acquire(n);
      try {
        GraphCompiler.Compiled c = f.compiled;
        Mat[] bound = new Mat[predictVars.length];
        for (int i = 0; i < bound.length; i++) {
          bound[i] = state[predictVars[i]];
        }
        f.bind(bound);
        f.iteration = iterations;
        for (int start = 0; start < n; start += f.capacity) {
          int rows = Math.min(f.capacity, n - start);
          f.resolve(rows);
          FlatKernels.writeFlat(f.buf[c.xId], f.cols[c.xId], f.size[c.xId], x.data(),
              x.offset() + start * inputSize, f.slotScratch[0][0]);
          setIteration(f);
          f.run();
          FlatKernels.readFlat(f.buf[c.outputId], f.cols[c.outputId], f.size[c.outputId],
              outputs, start * outputSize, f.slotScratch[0][0]);
        }
      } finally {
        predictFrames.release(f);
      }
    } finally {
      if (crowded) {
        pool.endSolo();
      }
      predicting.decrementAndGet();
    }
  }

  private int checkBatch(Tensor x, Tensor y, float[] outputs) {
    ensureOpen();
    int n = checkInput(x);
    if (n == 0) {
      throw new IllegalArgumentException("A training or evaluation batch needs at least one"
          + " sample; x has shape " + java.util.Arrays.toString(x.shape()));
    }
    if (y.rows() != n || y.rowSize() != labelSize) {
      throw new IllegalArgumentException("Labels y have shape "
          + java.util.Arrays.toString(y.shape()) + " but the batch has " + n + " samples and "
          + spec.loss() + " expects " + labelSize + " label value(s) per sample");
    }
    checkOutputs(outputs, n);
    if (spec.loss().sparseLabels()) {
      float[] labels = y.data();
      int base = y.offset();
      for (int r = 0; r < n; r++) {
        // the class index is column 0; a sample-weight column may follow it
        float value = labels[base + r * labelSize];
        int label = (int) value;
        if (label != value || label < 0 || label >= outputSize) {
          throw new IllegalArgumentException("Sparse label " + value + " of sample " + r
              + " is not a class index from 0 to " + (outputSize - 1));
        }
      }
    }
    return n;
  }

  private int checkInput(Tensor x) {
    int n = x.rows();
    if (n > 0 && x.rowSize() != inputSize) {
      throw new IllegalArgumentException("Input x has shape " + java.util.Arrays.toString(
          x.shape()) + " but model '" + spec.name() + "' expects " + inputSize
          + " values per sample (input shape " + java.util.Arrays.toString(spec.inputShape())
          + ")");
    }
    return n;
  }

  private void checkOutputs(float[] outputs, int n) {
    if (outputs.length < (long) n * outputSize) {
      throw new IllegalArgumentException("outputs has " + outputs.length + " values but " + n
          + " samples of " + outputSize + " outputs need " + (long) n * outputSize);
    }
  }

  @Override
  public ModelState snapshot() {
    ensureOpen();
    List<NamedArray> params = new ArrayList<>();
    List<NamedArray> vars = new ArrayList<>();
    List<NamedArray> slots = new ArrayList<>();
    for (int i = 0; i < state.length; i++) {
      int size = FlatKernels.size(shapes[i]);
      float[] values = new float[size];
      int cols = shapes[i].length == 0 ? 1 : shapes[i][shapes[i].length - 1];
      FlatKernels.readFlat(state[i], cols, size, values, scratch);
      NamedArray a = new NamedArray(names[i], shapes[i], values);
      (i < parameterCount ? params : i < parameterCount + variableCount ? vars : slots).add(a);
    }
    return new ModelState(params, vars, slots, iterations);
  }

  @Override
  public void restore(ModelState s) {
    ensureOpen();
    load(s);
  }

  private void load(ModelState s) {
    spec.checkCompatible(s);
    Map<String, NamedArray> byName = new HashMap<>();
    for (List<NamedArray> list : List.of(s.parameters(), s.variables(), s.slots())) {
      for (NamedArray a : list) {
        byName.put(a.name(), a);
      }
    }
    for (int i = 0; i < state.length; i++) {
      NamedArray a = byName.get(names[i]);
      if (a == null) {
        throw new IllegalArgumentException("State has no array '" + names[i] + "'");
      }
      int cols = shapes[i].length == 0 ? 1 : shapes[i][shapes[i].length - 1];
      FlatKernels.writeFlat(state[i], cols, a.values().length, a.values(), 0, scratch);
    }
    iterations = s.iterations();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Model '" + spec.name() + "' on " + device
          + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (trainFrame != null) {
      trainFrame.close();
      trainFrame = null;
    }
    if (evaluateFrame != null) {
      evaluateFrame.close();
      evaluateFrame = null;
    }
    predictFrames.close();
    if (split != null) {
      split.close();
      split = null;
    }
    for (Mat m : state) {
      m.close();
    }
    onClose.run();
  }
}
