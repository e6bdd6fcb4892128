package dev.backplane.accelerate;

import dev.backplane.ops.Node;

/**
 * The buffers of one compiled program for batches of up to {@link #capacity} samples: one
 * {@link Mat} per materialized node (variables excepted: those belong to the executable and are
 * bound before each run), flat staging for the general kernels and per-worker row scratch.
 * Buffers are planned once per capacity, so steady-state runs allocate nothing. A frame is used
 * by one call at a time; concurrent predictions each take their own.
 */
final class Frame implements AutoCloseable {
  final GraphCompiler.Compiled compiled;
  final MatrixEngine engine;
  final ComputePool pool;
  final MatrixEngine.Multiplier multiplier;
  final Runner runner = new Runner();
  final int capacity;
  /** Batch size the shapes below are resolved for; -1 before the first run. */
  int batch = -1;
  /** Iteration count of the run in progress. */
  long iteration;

  final Mat[] buf;
  final int[][] shape;
  final int[] rows;
  final int[] cols;
  final int[] size;
  final float[][][] stageIn;
  final float[][] stageOut;
  final int[][] staged;
  final float[][][] slots;
  final float[][][] slotScratch;
  /** Per worker: flat blocks for the narrow fused groups. */
  final float[][][] flat;
  /** Registers of a one-element fused group. */
  final float[] scalarRegs;
  final double[] acc;
  final int[] index;
  final int[] index2;
  private final boolean[] owned;

  /** Runs chunks of the step set on it, on the pool. */
  final class Runner implements ComputePool.ChunkedTask {
    GraphCompiler.Step step;

    @Override
    public void run(int chunk, int chunks, int worker) {
      step.chunk(Frame.this, chunk, chunks, worker);
    }
  }

  Frame(GraphCompiler.Compiled compiled, MatrixEngine engine, ComputePool pool, int capacity) {
    this.compiled = compiled;
    this.engine = engine;
    this.pool = pool;
    this.capacity = capacity;
    this.multiplier = engine.newMultiplier();
    Node[] nodes = compiled.nodes;
    int count = nodes.length;
    buf = new Mat[count];
    owned = new boolean[count];
    shape = new int[count][];
    rows = new int[count];
    cols = new int[count];
    size = new int[count];
    stageIn = new float[count][][];
    stageOut = new float[count][];
    staged = new int[count][];
    int maxRank = 1;
    for (Node n : nodes) {
      if (n != null) {
        shape[n.id()] = new int[n.rank()];
        maxRank = Math.max(maxRank, n.rank() + 1);
      }
    }
    resolve(capacity);
    int maxCols = 1;
    int maxSize = 1;
    try {
      for (Node n : nodes) {
        if (n == null || !compiled.materialized[n.id()]) {
          continue;
        }
        int id = n.id();
        maxCols = Math.max(maxCols, cols[id]);
        maxSize = Math.max(maxSize, size[id]);
        if (n.opName().equals("variable")) {
          continue;
        }
        buf[id] = engine.allocate(Math.max(1, rows[id]), Math.max(1, cols[id]));
        owned[id] = true;
      }
      for (Node n : nodes) {
        if (n != null && !compiled.materialized[n.id()]) {
          maxCols = Math.max(maxCols, cols[n.id()]);
        }
      }
      for (GraphCompiler.Step s : compiled.steps) {
        int[] ins = s.stagedInputs();
        staged[s.id] = ins;
        Node n = nodes[s.id];
        stageIn[s.id] = new float[n.inputs().size()][];
        for (int i : ins) {
          stageIn[s.id][i] = new float[Math.max(1, size[n.input(i).id()])];
        }
        if (s.stagesOutput()) {
          stageOut[s.id] = new float[Math.max(1, Math.max(size[s.id], rows[n.input(0).id()]))];
        }
      }
      for (int c : compiled.constantIds) {
        float[] v = nodes[c].attrs().floats("value");
        FlatKernels.writeFlat(buf[c], cols[c], size[c], v, 0, new float[maxCols]);
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    int workers = pool == null ? 1 : pool.threads();
    slots = new float[workers][compiled.maxSlots][];
    slotScratch = new float[workers][compiled.maxSlots + 1][maxCols];
    flat = new float[workers][compiled.maxSlots + 1][];
    int flatLen = Math.min(GraphCompiler.FLAT_BLOCK + GraphCompiler.FLAT_COLS, Math.max(1, maxSize));
    for (int w = 0; w < workers; w++) {
      for (int k = 0; k < flat[w].length; k++) {
        flat[w][k] = new float[Math.max(flatLen, GraphCompiler.FLAT_COLS)];
      }
    }
    scalarRegs = new float[compiled.maxSlots + 1];
    acc = new double[maxSize];
    index = new int[maxRank];
    index2 = new int[maxRank];
  }

  /** Resolves every node's concrete shape and 2-d view for a batch of {@code n}. */
  void resolve(int n) {
    if (n == batch) {
      return;
    }
    if (n > capacity) {
      throw new IllegalStateException("batch " + n + " exceeds the frame's capacity " + capacity);
    }
    for (Node node : compiled.nodes) {
      if (node == null) {
        continue;
      }
      int id = node.id();
      int[] s = shape[id];
      GraphCompiler.concrete(node, compiled.rules[id], shape, n, s);
      int total = FlatKernels.size(s);
      size[id] = total;
      cols[id] = s.length == 0 ? 1 : s[s.length - 1];
      rows[id] = cols[id] == 0 ? 0 : total / cols[id];
    }
    batch = n;
  }

  /** Binds the executable's variable buffers before a run. */
  void bind(Mat[] variables) {
    int[] ids = compiled.variableIds;
    for (int i = 0; i < ids.length; i++) {
      buf[ids[i]] = variables[i];
    }
  }

  /**
   * Per-step wall times for profiling tools in this package ({@code StepProfile}); {@code null}
   * (the default) times nothing. Indexed by node id, summed in nanoseconds.
   */
  static long[] stepNanos;

  /** Runs every step. */
  void run() {
    long[] times = stepNanos;
    if (times != null) {
      for (GraphCompiler.Step s : compiled.steps) {
        long t0 = System.nanoTime();
        s.run(this);
        times[s.id] += System.nanoTime() - t0;
      }
      return;
    }
    for (GraphCompiler.Step s : compiled.steps) {
      s.run(this);
    }
  }

  /**
   * Exchanges the buffer of node {@code id} with a variable's: the new value becomes the
   * variable's storage and the old storage this node's buffer, so applying an update copies
   * nothing.
   */
  Mat swap(int id, Mat variable) {
    Mat value = buf[id];
    buf[id] = variable;
    return value;
  }

  @Override
  public void close() {
    for (int i = 0; i < buf.length; i++) {
      if (owned[i] && buf[i] != null) {
        buf[i].close();
        buf[i] = null;
      }
    }
  }
}
