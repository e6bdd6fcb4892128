package dev.backplane.accelerate;

import dev.backplane.model.ProgramBuilder;
import dev.backplane.ops.Node;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A step split in two for data-parallel training: the api's {@link Program.Kind#GRADIENTS} and
 * {@link Program.Kind#APPLY} programs, compiled by {@link GraphCompiler} like the train program
 * and run on {@link Frame}s over the executable's own variable buffers. Built on the first
 * split step, so a model that never trains data-parallel compiles nothing more.
 */
final class GradientSteps implements AutoCloseable {
  private final MatrixEngine engine;
  private final ComputePool pool;
  private final GraphCompiler.Compiled gradients;
  private final GraphCompiler.Compiled apply;
  private final int[] gradientsVars;
  private final int[] applyVars;
  private final Mat[] gradientsBound;
  private final Mat[] applyBound;
  /** The gradients program's gradient nodes and sizes, in trainable-variable order. */
  private final int[] gradientNode;
  private final int[] gradientSize;
  /** The apply program's gradient input nodes, in the same order. */
  private final int[] gradientInput;
  private final int scaleId;
  private final int[] updateState;
  private final int[] updateNode;
  private final boolean[] updateSwap;
  private final boolean[] updateFlush;
  private final int[][] shapes;
  private final float[] copyStage;
  private final float[] scratch;
  private Frame gradientsFrame;
  private final Frame applyFrame;

  GradientSteps(ModelSpec spec, String[] names, int[][] shapes, MatrixEngine engine,
      ComputePool pool) {
    this.engine = engine;
    this.pool = pool;
    this.shapes = shapes;
    Program gp = ProgramBuilder.build(spec, Program.Kind.GRADIENTS);
    Program ap = ProgramBuilder.build(spec, Program.Kind.APPLY);
    this.gradients = GraphCompiler.compile(gp);
    this.apply = GraphCompiler.compile(ap);
    Map<String, Integer> index = new HashMap<>();
    int maxSize = 1;
    for (int i = 0; i < names.length; i++) {
      index.put(names[i], i);
      maxSize = Math.max(maxSize, FlatKernels.size(shapes[i]));
    }
    gradientsVars = stateIndices(gradients, index);
    applyVars = stateIndices(apply, index);
    gradientsBound = new Mat[gradientsVars.length];
    applyBound = new Mat[applyVars.length];
    gradientNode = new int[gp.updates().size()];
    gradientSize = new int[gradientNode.length];
    gradientInput = new int[gradientNode.length];
    int k = 0;
    for (Map.Entry<String, Node> e : gp.updates().entrySet()) {
      gradientNode[k] = e.getValue().id();
      gradientSize[k] = FlatKernels.size(e.getValue().shape());
      gradientInput[k] = ap.input(Program.GRADIENT_INPUT + e.getKey()).id();
      k++;
    }
    scaleId = ap.input("scale").id();
    Set<String> slotNames = new HashSet<>();
    for (NamedArray a : spec.initialState().slots()) {
      slotNames.add(a.name());
    }
    // The updates are applied as the executable applies its train program's (see there).
    Map<String, Node> updates = ap.updates();
    updateState = new int[updates.size()];
    updateNode = new int[updates.size()];
    updateSwap = new boolean[updates.size()];
    updateFlush = new boolean[updates.size()];
    Set<Integer> used = new HashSet<>();
    int u = 0;
    for (Map.Entry<String, Node> e : updates.entrySet()) {
      updateState[u] = index.get(e.getKey());
      updateNode[u] = e.getValue().id();
      String op = e.getValue().opName();
      updateSwap[u] = used.add(e.getValue().id()) && !op.equals("variable")
          && !op.equals("input") && !op.equals("constant");
      updateFlush[u] = slotNames.contains(e.getKey());
      u++;
    }
    Map<Integer, GraphCompiler.AdamStep> adamSlots = new HashMap<>();
    for (GraphCompiler.Step st : apply.steps) {
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
      for (int j = 0; j < updateNode.length; j++) {
        if (updateNode[j] == other && updateFlush[j] && updateSwap[j] && updateFlush[i]) {
          as.flushSlots = true;
        }
      }
    }
    for (int i = 0; i < updateNode.length; i++) {
      GraphCompiler.AdamStep as = adamSlots.get(updateNode[i]);
      if (as != null && as.flushSlots) {
        updateFlush[i] = false;
      }
    }
    copyStage = new float[maxSize];
    scratch = new float[maxSize];
    applyFrame = new Frame(apply, engine, pool, 1);
  }

  private static int[] stateIndices(GraphCompiler.Compiled c, Map<String, Integer> index) {
    int[] out = new int[c.variableNames.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = index.get(c.variableNames[i]);
    }
    return out;
  }

  /** Forward, loss and gradients of the loss sum of a checked batch of {@code n} rows. */
  double computeGradients(Tensor x, Tensor y, int n, float[] outputs, float[][] out,
      Mat[] state, long iteration) {
    if (out.length != gradientNode.length) {
      throw new IllegalArgumentException("gradients has " + out.length + " arrays but the model"
          + " has " + gradientNode.length + " trainable variables");
    }
    for (int k = 0; k < out.length; k++) {
      if (out[k].length != gradientSize[k]) {
        throw new IllegalArgumentException("gradients[" + k + "] has " + out[k].length
            + " values but its variable has " + gradientSize[k]);
      }
    }
    if (gradientsFrame == null || gradientsFrame.capacity < n) {
      Frame old = gradientsFrame;
      gradientsFrame = null;
      if (old != null) {
        old.close();
      }
      gradientsFrame = new Frame(gradients, engine, pool, n);
    }
    Frame f = gradientsFrame;
    GraphCompiler.Compiled c = gradients;
    f.resolve(n);
    bind(f, gradientsVars, gradientsBound, state, iteration);
    float[] s = f.slotScratch[0][0];
    FlatKernels.writeFlat(f.buf[c.xId], f.cols[c.xId], f.size[c.xId], x.data(), x.offset(), s);
    FlatKernels.writeFlat(f.buf[c.yId], f.cols[c.yId], f.size[c.yId], y.data(), y.offset(), s);
    f.run();
    FlatKernels.readFlat(f.buf[c.outputId], f.cols[c.outputId], f.size[c.outputId], outputs, s);
    for (int k = 0; k < out.length; k++) {
      int id = gradientNode[k];
      FlatKernels.readFlat(f.buf[id], f.cols[id], f.size[id], out[k], s);
    }
    return f.buf[c.lossId].row(0, s)[0];
  }

  /** The optimizer's update from gradient sums over {@code samples}, into {@code state}. */
  void apply(float[][] sums, int samples, Mat[] state, long iteration) {
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be at least 1, got " + samples);
    }
    if (sums.length != gradientInput.length) {
      throw new IllegalArgumentException("gradientSums has " + sums.length + " arrays but the"
          + " model has " + gradientInput.length + " trainable variables");
    }
    Frame f = applyFrame;
    f.resolve(1);
    bind(f, applyVars, applyBound, state, iteration);
    float[] s = f.slotScratch[0][0];
    for (int k = 0; k < sums.length; k++) {
      int id = gradientInput[k];
      if (sums[k].length != f.size[id]) {
        throw new IllegalArgumentException("gradientSums[" + k + "] has " + sums[k].length
            + " values but its variable has " + f.size[id]);
      }
      FlatKernels.writeFlat(f.buf[id], f.cols[id], f.size[id], sums[k], 0, s);
    }
    float[] row = f.buf[scaleId].target(0, s);
    row[0] = 1f / samples;
    f.buf[scaleId].commit(0, row);
    f.run();
    for (int u = 0; u < updateState.length; u++) {
      int id = updateNode[u];
      int st = updateState[u];
      if (updateFlush[u]) {
        Mat m = f.buf[id];
        for (int r = 0; r < f.rows[id]; r++) {
          float[] values = m.row(r, scratch);
          Flush.tiny(values, f.cols[id]);
          m.commit(r, values);
        }
      }
      if (updateSwap[u]) {
        state[st] = f.swap(id, state[st]);
      } else {
        FlatKernels.readFlat(f.buf[id], f.cols[id], f.size[id], copyStage, scratch);
        int cols = shapes[st].length == 0 ? 1 : shapes[st][shapes[st].length - 1];
        FlatKernels.writeFlat(state[st], cols, f.size[id], copyStage, 0, scratch);
      }
    }
  }

  private static void bind(Frame f, int[] vars, Mat[] bound, Mat[] state, long iteration) {
    for (int i = 0; i < vars.length; i++) {
      bound[i] = state[vars[i]];
    }
    f.bind(bound);
    f.iteration = iteration;
    int id = f.compiled.iterationId;
    if (id >= 0 && f.buf[id] != null) {
      float[] row = f.buf[id].target(0, f.slotScratch[0][0]);
      row[0] = (float) (int) iteration;
      f.buf[id].commit(0, row);
    }
  }

  @Override
  public void close() {
    if (gradientsFrame != null) {
      gradientsFrame.close();
      gradientsFrame = null;
    }
    applyFrame.close();
  }
}
