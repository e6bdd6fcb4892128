package dev.backplane.accelerate;

import dev.backplane.ops.Attrs;
import dev.backplane.ops.DType;
import dev.backplane.ops.Node;
import dev.backplane.spi.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles a {@link Program} into a list of {@link Step}s over per-node buffers. Each node's
 * value is a {@link Mat} holding its 2-d view (all axes but the last as rows); the batch axis is
 * resolved per call. Patterns:
 *
 * <ul>
 *   <li>chains of element-wise ops (the optimizer updates, activations and their gradients,
 *       bias adds, dropout masks) fuse into one {@link Fused} step that runs a small row
 *       program: intermediates live in one row of scratch, never in a full buffer; operands may
 *       be full, a broadcast row (bias), a per-row column (keepdims sums) or a scalar;
 *   <li>{@code matmul} with its transpose flags runs through the engine's tuned gemm;
 *   <li>sums over the last axis or over axis 0 (bias gradients) run row- or column-wise, split
 *       over the pool by rows or columns, so the bits do not depend on the thread count;
 *   <li>everything else runs the general flat kernels of {@link FlatKernels}.
 * </ul>
 */
final class GraphCompiler {
  /** Elements times ops above which a step is split over the pool. */
  static final long PARALLEL_WORK = 1L << 15;
  /** Row width below which fused groups run on flat blocks of whole rows. */
  static final int FLAT_COLS = 32;
  /** Values per flat block. */
  static final int FLAT_BLOCK = 4096;

  private GraphCompiler() {}

  /** A compiled program. */
  static final class Compiled {
    final Program program;
    /** Nodes by id; {@code null} where not live. */
    final Node[] nodes;
    final Rule[] rules;
    final Step[] steps;
    /** Whether a node has a buffer (fused intermediates have none). */
    final boolean[] materialized;
    final int xId;
    final int yId;
    final int iterationId;
    final int outputId;
    final int lossId;
    /** Live variable nodes and their names. */
    final int[] variableIds;
    final String[] variableNames;
    /** Live constant nodes. */
    final int[] constantIds;
    /** Most row slots a fused step needs. */
    final int maxSlots;

    Compiled(Program program, Node[] nodes, Rule[] rules, Step[] steps,
        boolean[] materialized, int[] variableIds, String[] variableNames, int[] constantIds,
        int maxSlots) {
      this.program = program;
      this.nodes = nodes;
      this.rules = rules;
      this.steps = steps;
      this.materialized = materialized;
      this.xId = program.input("x").id();
      Node y = program.input("y");
      this.yId = y == null ? -1 : y.id();
      Node it = program.input("iteration");
      this.iterationId = it == null ? -1 : it.id();
      this.outputId = program.output().id();
      this.lossId = program.loss() == null ? -1 : program.loss().id();
      this.variableIds = variableIds;
      this.variableNames = variableNames;
      this.constantIds = constantIds;
      this.maxSlots = maxSlots;
    }
  }

  /**
   * The matrix products one run of {@code compiled} makes at batch size {@code batch}, in step
   * order (a shape run twice is listed twice).
   */
  static List<GemmShape> gemmShapes(Compiled compiled, int batch) {
    int[][] shapes = probe(compiled.nodes, compiled.rules, batch);
    List<GemmShape> out = new ArrayList<>();
    for (Step s : compiled.steps) {
      s.gemmShapes(shapes, out);
    }
    return out;
  }

  /** Compiles a program. */
  static Compiled compile(Program program) {
    int size = program.graph().size();
    Node[] nodes = new Node[size];
    int[][] shapes = new int[size][];
    List<Node> live = program.liveNodes();
    int[] consumers = new int[size];
    for (Node n : live) {
      nodes[n.id()] = n;
      shapes[n.id()] = n.shape();
      for (Node in : n.inputs()) {
        consumers[in.id()]++;
      }
    }
    boolean[] root = new boolean[size];
    root[program.output().id()] = true;
    if (program.loss() != null) {
      root[program.loss().id()] = true;
    }
    for (Node u : program.updates().values()) {
      root[u.id()] = true;
    }
    // Two probe batch sizes: shapes equal at both are equal at any batch size.
    Rule[] rules = new Rule[size];
    for (Node n : live) {
      rules[n.id()] = rule(n);
    }
    int[][] p2 = probe(nodes, rules, 2);
    int[][] p3 = probe(nodes, rules, 3);
    // A fusable node is absorbed into its only consumer when both are element-wise and agree on
    // the shape.
    int[] fusedInto = new int[size];
    Arrays.fill(fusedInto, -1);
    int[] consumer = new int[size];
    Arrays.fill(consumer, -1);
    for (Node n : live) {
      for (Node in : n.inputs()) {
        consumer[in.id()] = n.id();
      }
    }
    boolean[] fusable = new boolean[size];
    for (Node n : live) {
      fusable[n.id()] = elementwise(n) && leafModesOk(n, p2, p3);
    }
    for (Node n : live) {
      int id = n.id();
      int c = consumer[id];
      if (fusable[id] && !root[id] && consumers[id] == 1 && c >= 0 && fusable[c]
          && Arrays.equals(p2[id], p2[c]) && Arrays.equals(p3[id], p3[c])
          && operandIndex(nodes[c], id) >= 0) {
        fusedInto[id] = c;
      }
    }
    boolean[] materialized = new boolean[size];
    List<Step> steps = new ArrayList<>();
    List<Integer> vars = new ArrayList<>();
    List<String> varNames = new ArrayList<>();
    List<Integer> constants = new ArrayList<>();
    int maxSlots = 8;
    for (Node n : live) {
      int id = n.id();
      if (fusedInto[id] >= 0) {
        continue;
      }
      materialized[id] = true;
      switch (n.opName()) {
        case "input":
          break;
        case "variable":
          vars.add(id);
          varNames.add(n.attrs().s("name"));
          break;
        case "constant":
          constants.add(id);
          break;
        default:
          Step s = stepFor(n, fusedInto, p2, nodes);
          if (s instanceof Fused f) {
            maxSlots = Math.max(maxSlots, f.slotCount + 2);
          }
          steps.add(s);
      }
    }
    fuseAdam(program, consumers, p2, p3, steps);
    shareAdamAlphas(nodes, consumers, root, steps);
    return new Compiled(program, nodes, rules, steps.toArray(new Step[0]), materialized,
        vars.stream().mapToInt(Integer::intValue).toArray(), varNames.toArray(new String[0]),
        constants.stream().mapToInt(Integer::intValue).toArray(), maxSlots);
  }

  /**
   * Adam's per-parameter update, as {@code Adam.update} builds it: {@code m' = m + (g - m) c1},
   * {@code v' = v + (g^2 - v) c2}, {@code w' = w - m' alpha / (sqrt(v') + eps)}, with scalar
   * {@code c1, c2, alpha, eps}. The three fused groups (roots m', v', w') become one loop that
   * reads {@code g, m, v, w} once; the same float operations in the same order, so the same bits.
   */
  private static void fuseAdam(Program program, int[] consumers, int[][] p2, int[][] p3,
      List<Step> steps) {
    java.util.Map<Integer, Integer> stepAt = new java.util.HashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      stepAt.put(steps.get(i).id, i);
    }
    Set<Integer> drop = new HashSet<>();
    for (Node next : program.updates().values()) {
      Node[] mv = matchAdam(next);
      if (mv == null) {
        continue;
      }
      Node m = mv[0];
      Node v = mv[1];
      if (consumers[m.id()] != 1 || consumers[v.id()] != 1) {
        continue;
      }
      Integer sm = stepAt.get(m.id());
      Integer sv = stepAt.get(v.id());
      Integer sn = stepAt.get(next.id());
      if (sm == null || sv == null || sn == null || !(steps.get(sm) instanceof Fused fm)
          || !(steps.get(sv) instanceof Fused fv) || !(steps.get(sn) instanceof Fused fn)
          || fm.ops.length != 3 || fv.ops.length != 4 || fn.ops.length != 5) {
        continue;
      }
      Node w = next.input(0);
      Node g = m.input(1).input(0).input(0);
      int[] shape = p2[w.id()];
      boolean ok = true;
      for (Node x : new Node[] {g, m.input(0), v.input(0), m, v, next}) {
        ok &= Arrays.equals(p2[x.id()], shape) && Arrays.equals(p3[x.id()], p3[w.id()]);
      }
      Node alpha = next.input(1).input(0).input(1);
      Node c1 = m.input(1).input(1);
      Node c2 = v.input(1).input(1);
      Node eps = next.input(1).input(1).input(1);
      for (Node x : new Node[] {alpha, c1, c2, eps}) {
        ok &= FlatKernels.size(p2[x.id()]) == 1 && FlatKernels.size(p3[x.id()]) == 1;
      }
      if (!ok) {
        continue;
      }
      steps.set(sn, new AdamStep(next.id(), m.id(), v.id(), w.id(), g.id(), m.input(0).id(),
          v.input(0).id(), c1.id(), c2.id(), alpha.id(), eps.id()));
      drop.add(m.id());
      drop.add(v.id());
    }
    steps.removeIf(st -> st instanceof Fused && drop.contains(st.id));
  }

  /**
   * Adam builds the same scalar step size {@code alpha} (from the iteration count and constants)
   * once per parameter; the fused updates whose alpha groups are the same row program on the
   * same leaves (or on equal constants) all read the first one's value, and the copies' steps go.
   * The same float operations on the same values: the same bits.
   */
  private static void shareAdamAlphas(Node[] nodes, int[] consumers, boolean[] root,
      List<Step> steps) {
    java.util.Map<Integer, Fused> byId = new java.util.HashMap<>();
    for (Step st : steps) {
      if (st instanceof Fused f) {
        byId.put(f.id, f);
      }
    }
    List<Fused> kept = new ArrayList<>();
    Set<Integer> drop = new HashSet<>();
    for (Step st : steps) {
      if (!(st instanceof AdamStep as)) {
        continue;
      }
      Fused f = byId.get(as.alpha);
      if (f == null || consumers[f.id] != 1 || root[f.id] || nodes[f.id].rank() != 0) {
        continue;
      }
      Fused same = null;
      for (Fused k : kept) {
        if (sameProgram(nodes, k, f)) {
          same = k;
          break;
        }
      }
      if (same == null) {
        kept.add(f);
      } else if (same != f) {
        as.alpha = same.id;
        drop.add(f.id);
      }
    }
    steps.removeIf(st -> st instanceof Fused && drop.contains(st.id));
  }

  private static boolean sameProgram(Node[] nodes, Fused x, Fused y) {
    if (!Arrays.equals(x.ops, y.ops) || !Arrays.equals(x.a, y.a) || !Arrays.equals(x.b, y.b)
        || !Arrays.equals(x.c, y.c) || !Arrays.equals(x.lo, y.lo) || !Arrays.equals(x.hi, y.hi)
        || !Arrays.equals(x.leafModes, y.leafModes) || x.leafIds.length != y.leafIds.length
        || nodes[x.id].dtype() != nodes[y.id].dtype()) {
      return false;
    }
    for (int l = 0; l < x.leafIds.length; l++) {
      Node p = nodes[x.leafIds[l]];
      Node q = nodes[y.leafIds[l]];
      if (p == q) {
        continue;
      }
      if (!is(p, "constant") || !is(q, "constant") || p.dtype() != q.dtype()
          || !Arrays.equals(p.shape(), q.shape())
          || !Arrays.equals(p.attrs().floats("value"), q.attrs().floats("value"))) {
        return false;
      }
    }
    return true;
  }

  private static boolean is(Node n, String op) {
    return n.opName().equals(op);
  }

  /** {m', v'} when {@code next} is Adam's parameter update, else null. */
  private static Node[] matchAdam(Node next) {
    if (!is(next, "sub")) {
      return null;
    }
    Node div = next.input(1);
    if (!is(div, "div") || !is(div.input(0), "mul") || !is(div.input(1), "add")
        || !is(div.input(1).input(0), "sqrt")) {
      return null;
    }
    Node m = div.input(0).input(0);
    Node v = div.input(1).input(0).input(0);
    // m' = add(m, mul(sub(g, m), c1))
    if (!is(m, "add") || !is(m.input(1), "mul") || !is(m.input(1).input(0), "sub")
        || m.input(1).input(0).input(1) != m.input(0)) {
      return null;
    }
    Node g = m.input(1).input(0).input(0);
    // v' = add(v, mul(sub(square(g), v), c2))
    if (!is(v, "add") || !is(v.input(1), "mul") || !is(v.input(1).input(0), "sub")
        || v.input(1).input(0).input(1) != v.input(0)
        || !is(v.input(1).input(0).input(0), "square")
        || v.input(1).input(0).input(0).input(0) != g) {
      return null;
    }
    if (!is(m.input(0), "variable") || !is(v.input(0), "variable")
        || !is(next.input(0), "variable")) {
      return null;
    }
    return new Node[] {m, v};
  }

  /** Adam's update of one parameter in one loop; see {@link #fuseAdam}. */
  static final class AdamStep extends Step {
    /** Whether the loop runs on the Vector API ({@link VectorAdam}); the same bits either way. */
    static final boolean VECTOR_ADAM = VectorSupport.present();
    final int m;
    final int v;
    final int w;
    final int g;
    final int ms;
    final int vs;
    final int c1;
    final int c2;
    /** The step size; may be shared with other parameters' updates ({@link #shareAdamAlphas}). */
    int alpha;
    final int eps;
    /**
     * Whether {@code m'} and {@code v'} are stored flushed ({@link Flush#tiny}), as the
     * executable would flush these slot updates after the run; {@code w'} is computed from the
     * unflushed values either way, so the bits are those of a separate flush. Set by the
     * executable, which then skips its own flush of these two updates.
     */
    boolean flushSlots;

    AdamStep(int next, int m, int v, int w, int g, int ms, int vs, int c1, int c2, int alpha,
        int eps) {
      super(next);
      this.m = m;
      this.v = v;
      this.w = w;
      this.g = g;
      this.ms = ms;
      this.vs = vs;
      this.c1 = c1;
      this.c2 = c2;
      this.alpha = alpha;
      this.eps = eps;
    }

    @Override
    void run(Frame f) {
      int rows = f.rows[id];
      split(f, rows, (long) rows * f.cols[id] * 9);
    }

    @Override
    void chunk(Frame f, int chunk, int chunks, int worker) {
      int rows = f.rows[id];
      int cols = f.cols[id];
      int from = (int) ((long) rows * chunk / chunks);
      int to = (int) ((long) rows * (chunk + 1) / chunks);
      float[][] s = f.slotScratch[worker];
      float k1 = f.buf[c1].row(0, s[0])[0];
      float k2 = f.buf[c2].row(0, s[0])[0];
      float a = f.buf[alpha].row(0, s[0])[0];
      float e = f.buf[eps].row(0, s[0])[0];
      Mat gm = f.buf[g];
      Mat msm = f.buf[ms];
      Mat vsm = f.buf[vs];
      Mat wm = f.buf[w];
      Mat mo = f.buf[m];
      Mat vo = f.buf[v];
      Mat no = f.buf[id];
      if (cols < FLAT_COLS || (!(wm instanceof HeapMat) && cols <= FLAT_BLOCK)) {
        // Narrow or off-heap rows: whole rows gathered into flat blocks, one loop per block.
        float[][] fl = f.flat[worker];
        int block = Math.max(1, FLAT_BLOCK / Math.max(1, cols));
        for (int r0 = from; r0 < to; r0 += block) {
          int r1 = Math.min(to, r0 + block);
          int n = (r1 - r0) * cols;
          gather(gm, r0, r1, cols, fl[0], s[0]);
          gather(msm, r0, r1, cols, fl[1], s[0]);
          gather(vsm, r0, r1, cols, fl[2], s[0]);
          gather(wm, r0, r1, cols, fl[3], s[0]);
          if (flushSlots) {
            adamFlushed(fl[0], fl[1], fl[2], fl[3], fl[4], fl[5], fl[6], k1, k2, a, e, n);
          } else {
            adam(fl[0], fl[1], fl[2], fl[3], fl[4], fl[5], fl[6], k1, k2, a, e, n);
          }
          scatter(mo, r0, r1, cols, fl[4], s[0]);
          scatter(vo, r0, r1, cols, fl[5], s[0]);
          scatter(no, r0, r1, cols, fl[6], s[0]);
        }
        return;
      }
      for (int r = from; r < to; r++) {
        float[] gr = gm.row(r, s[0]);
        float[] mr = msm.row(r, s[1]);
        float[] vr = vsm.row(r, s[2]);
        float[] wr = wm.row(r, s[3]);
        float[] mt = mo.target(r, s[4]);
        float[] vt = vo.target(r, s[5]);
        float[] nt = no.target(r, s[6]);
        if (flushSlots) {
          adamFlushed(gr, mr, vr, wr, mt, vt, nt, k1, k2, a, e, cols);
        } else {
          adam(gr, mr, vr, wr, mt, vt, nt, k1, k2, a, e, cols);
        }
        mo.commit(r, mt);
        vo.commit(r, vt);
        no.commit(r, nt);
      }
    }

    private static void gather(Mat m, int r0, int r1, int cols, float[] dst, float[] scratch) {
      readBlock(m, r0, r1, cols, dst, scratch);
    }

    private static void scatter(Mat m, int r0, int r1, int cols, float[] src, float[] scratch) {
      writeBlock(m, r0, r1, cols, src, scratch);
    }

    private static void adam(float[] gr, float[] mr, float[] vr, float[] wr, float[] mt,
        float[] vt, float[] nt, float k1, float k2, float a, float e, int cols) {
      int start = VECTOR_ADAM ? VectorAdam.update(gr, mr, vr, wr, mt, vt, nt, k1, k2, a, e, cols,
          false) : 0;
      for (int j = start; j < cols; j++) {
        float gj = gr[j];
        float mj = mr[j] + (gj - mr[j]) * k1;
        float vj = vr[j] + (gj * gj - vr[j]) * k2;
        mt[j] = mj;
        vt[j] = vj;
        nt[j] = wr[j] - (mj * a) / ((float) Math.sqrt(vj) + e);
      }
    }

    /** {@link #adam} storing {@code m'} and {@code v'} through {@link Flush#tiny}'s formula. */
    private static void adamFlushed(float[] gr, float[] mr, float[] vr, float[] wr, float[] mt,
        float[] vt, float[] nt, float k1, float k2, float a, float e, int cols) {
      int start = VECTOR_ADAM ? VectorAdam.update(gr, mr, vr, wr, mt, vt, nt, k1, k2, a, e, cols,
          true) : 0;
      for (int j = start; j < cols; j++) {
        float gj = gr[j];
        float mj = mr[j] + (gj - mr[j]) * k1;
        float vj = vr[j] + (gj * gj - vr[j]) * k2;
        mt[j] = Flush.one(mj);
        vt[j] = Flush.one(vj);
        nt[j] = wr[j] - (mj * a) / ((float) Math.sqrt(vj) + e);
      }
    }
  }

  private static boolean elementwise(Node n) {
    String op = n.opName();
    if (op.equals("cast")) {
      return true;
    }
    return FlatKernels.opcode(op) >= 0;
  }

  /** The value operands of an element-wise node (broadcast_like reads only its first input). */
  private static int operandCount(Node n) {
    if (n.opName().equals("broadcast_like") || n.opName().equals("cast")
        || n.opName().equals("clip") || n.opName().equals("stop_gradient")) {
      return 1;
    }
    return n.inputs().size();
  }

  private static int operandIndex(Node consumer, int id) {
    for (int i = 0; i < operandCount(consumer); i++) {
      if (consumer.input(i).id() == id) {
        return i;
      }
    }
    return -1;
  }

  static final int FULL = 0;
  static final int ROW = 1;
  static final int COL = 2;
  static final int SCALAR = 3;

  /** How an operand of shape {@code l} reads against an output of shape {@code o}, or -1. */
  static int mode(int[] l, int[] o) {
    if (Arrays.equals(l, o)) {
      return FULL;
    }
    if (FlatKernels.size(l) == 1) {
      return SCALAR;
    }
    int cols = o.length == 0 ? 1 : o[o.length - 1];
    if (l.length >= 1 && l.length <= o.length && l[l.length - 1] == cols) {
      boolean ones = true;
      for (int i = 0; i < l.length - 1; i++) {
        ones &= l[i] == 1;
      }
      if (ones) {
        return ROW;
      }
    }
    if (l.length == o.length && o.length >= 2 && l[l.length - 1] == 1) {
      boolean same = true;
      for (int i = 0; i < l.length - 1; i++) {
        same &= l[i] == o[i];
      }
      if (same) {
        return COL;
      }
    }
    return -1;
  }

  private static boolean leafModesOk(Node n, int[][] p2, int[][] p3) {
    for (int i = 0; i < operandCount(n); i++) {
      int in = n.input(i).id();
      int m2 = mode(p2[in], p2[n.id()]);
      int m3 = mode(p3[in], p3[n.id()]);
      if (m2 < 0 || m2 != m3) {
        return false;
      }
    }
    return true;
  }

  private static Step stepFor(Node n, int[] fusedInto, int[][] p2, Node[] nodes) {
    int id = n.id();
    String op = n.opName();
    if (elementwise(n)) {
      if (FlatKernels.opcode(op) >= 0 || op.equals("cast")) {
        Fused f = fuse(n, fusedInto, p2, nodes);
        if (f != null) {
          return f;
        }
      }
      return new GenericElementwise(n);
    }
    switch (op) {
      case "matmul":
        return new MatMul(id, n.input(0).id(), n.input(1).id(),
            n.attrs().b("transpose_a", false), n.attrs().b("transpose_b", false));
      case "sum":
      case "mean":
      case "max":
        return Reduce.of(n);
      case "softmax":
      case "log_softmax":
        return new Softmax(n);
      default:
        return SpatialStep.handles(op) ? SpatialStep.of(n) : new Generic(n);
    }
  }

  /** Builds the row program of a fused group rooted at {@code root}, or null if it cannot. */
  private static Fused fuse(Node root, int[] fusedInto, int[][] p2, Node[] nodes) {
    List<Node> members = new ArrayList<>();
    collect(root, fusedInto, members);
    members.sort((a, b) -> Integer.compare(a.id(), b.id()));
    List<Integer> leafIds = new ArrayList<>();
    List<Integer> leafModes = new ArrayList<>();
    int[] slotOf = new int[nodes.length];
    Arrays.fill(slotOf, -1);
    Set<Integer> memberIds = new HashSet<>();
    for (Node m : members) {
      memberIds.add(m.id());
    }
    int[] outShape = p2[root.id()];
    for (Node m : members) {
      for (int i = 0; i < operandCount(m); i++) {
        Node in = m.input(i);
        if (!memberIds.contains(in.id()) && !leafIds.contains(in.id())) {
          int mode = mode(p2[in.id()], outShape);
          if (mode < 0) {
            return null;
          }
          leafIds.add(in.id());
          leafModes.add(mode);
        }
      }
    }
    int leaves = leafIds.size();
    for (int l = 0; l < leaves; l++) {
      slotOf[leafIds.get(l)] = l;
    }
    int k = members.size();
    int[] ops = new int[k];
    int[] a = new int[k];
    int[] b = new int[k];
    int[] c = new int[k];
    float[] lo = new float[k];
    float[] hi = new float[k];
    for (int i = 0; i < k; i++) {
      Node m = members.get(i);
      slotOf[m.id()] = leaves + i;
      int code;
      if (m.opName().equals("cast")) {
        boolean toInt = m.dtype() == DType.INT32 && m.input(0).dtype() == DType.FLOAT32;
        code = toInt ? FlatKernels.TO_INT : FlatKernels.COPY;
      } else {
        code = FlatKernels.opcode(m.opName());
      }
      ops[i] = code;
      int count = operandCount(m);
      a[i] = slotOf[m.input(0).id()];
      b[i] = count > 1 ? slotOf[m.input(1).id()] : -1;
      c[i] = count > 2 ? slotOf[m.input(2).id()] : -1;
      if (code == FlatKernels.CLIP) {
        Attrs at = m.attrs();
        lo = setAt(lo, i, (float) at.d("min"));
        hi = setAt(hi, i, (float) at.d("max"));
      }
    }
    return new Fused(root.id(), leafIds.stream().mapToInt(Integer::intValue).toArray(),
        leafModes.stream().mapToInt(Integer::intValue).toArray(), ops, a, b, c, lo, hi);
  }

  private static float[] setAt(float[] x, int i, float v) {
    x[i] = v;
    return x;
  }

  private static void collect(Node n, int[] fusedInto, List<Node> out) {
    out.add(n);
    for (int i = 0; i < operandCount(n); i++) {
      Node in = n.input(i);
      if (fusedInto[in.id()] == n.id() && !out.contains(in)) {
        collect(in, fusedInto, out);
      }
    }
  }

  // ------------------------------------------------------------------ concrete shapes

  private static int[][] probe(Node[] nodes, Rule[] rules, int batch) {
    int[][] out = new int[nodes.length][];
    for (Node n : nodes) {
      if (n != null) {
        out[n.id()] = new int[n.rank()];
        concrete(n, rules[n.id()], out, batch, out[n.id()]);
      }
    }
    return out;
  }

  /** A node's shape attributes, read once at compile (attribute reads copy arrays). */
  static final class Rule {
    int[] a;
    int[] b;
    boolean[] mask;
    boolean ta;
    boolean tb;
    int i;
  }

  static Rule rule(Node n) {
    Attrs at = n.attrs();
    Rule r = new Rule();
    switch (n.opName()) {
      case "input", "variable", "constant", "reshape" -> r.a = at.ints("shape");
      case "matmul" -> {
        r.ta = at.b("transpose_a", false);
        r.tb = at.b("transpose_b", false);
      }
      case "sum", "mean", "max" -> {
        r.mask = reducedMask(at.ints("axes"), n.input(0).rank());
        r.ta = at.b("keepdims", false);
      }
      case "transpose" -> r.a = at.ints("perm");
      case "slice" -> {
        r.a = at.ints("begin");
        r.b = at.ints("size");
      }
      case "pad" -> r.a = at.ints("paddings");
      case "concat" -> r.i = at.i("axis");
      case "segment_sum" -> r.i = at.i("num_segments");
      case "one_hot" -> r.i = at.i("depth");
      default -> SpatialStep.rule(n, r);
    }
    return r;
  }

  /** The concrete shape of {@code n} for batch size {@code batch}, from its inputs' shapes. */
  static void concrete(Node n, Rule at, int[][] shapes, int batch, int[] out) {
    switch (n.opName()) {
      case "input":
      case "variable":
      case "constant": {
        int[] s = at.a;
        for (int i = 0; i < out.length; i++) {
          out[i] = s[i] < 0 ? batch : s[i];
        }
        return;
      }
      case "numel":
        return;
      case "matmul": {
        int[] a = shapes[n.input(0).id()];
        int[] b = shapes[n.input(1).id()];
        out[0] = at.ta ? a[1] : a[0];
        out[1] = at.tb ? b[0] : b[1];
        return;
      }
      case "sum":
      case "mean":
      case "max": {
        int[] x = shapes[n.input(0).id()];
        boolean[] reduced = at.mask;
        boolean keep = at.ta;
        int k = 0;
        for (int i = 0; i < x.length; i++) {
          if (!reduced[i]) {
            out[k++] = x[i];
          } else if (keep) {
            out[k++] = 1;
          }
        }
        return;
      }
      case "reshape": {
        int[] x = shapes[n.input(0).id()];
        int[] t = at.a;
        int total = FlatKernels.size(x);
        int known = 1;
        for (int d : t) {
          known *= d == -1 ? 1 : d;
        }
        for (int i = 0; i < out.length; i++) {
          out[i] = t[i] == -1 ? (known == 0 ? 0 : total / known) : t[i];
        }
        return;
      }
      case "transpose": {
        int[] x = shapes[n.input(0).id()];
        int[] perm = at.a;
        for (int i = 0; i < out.length; i++) {
          out[i] = x[perm[i]];
        }
        return;
      }
      case "broadcast_like":
        System.arraycopy(shapes[n.input(1).id()], 0, out, 0, out.length);
        return;
      case "slice": {
        int[] x = shapes[n.input(0).id()];
        int[] begin = at.a;
        int[] size = at.b;
        for (int i = 0; i < out.length; i++) {
          out[i] = size[i] == -1 ? x[i] - begin[i] : size[i];
        }
        return;
      }
      case "pad": {
        int[] x = shapes[n.input(0).id()];
        int[] p = at.a;
        for (int i = 0; i < out.length; i++) {
          out[i] = x[i] + p[2 * i] + p[2 * i + 1];
        }
        return;
      }
      case "concat": {
        int axis = Math.floorMod(at.i, out.length);
        System.arraycopy(shapes[n.input(0).id()], 0, out, 0, out.length);
        for (int k = 1; k < n.inputs().size(); k++) {
          out[axis] += shapes[n.input(k).id()][axis];
        }
        return;
      }
      case "gather": {
        int[] p = shapes[n.input(0).id()];
        int[] idx = shapes[n.input(1).id()];
        System.arraycopy(idx, 0, out, 0, idx.length);
        System.arraycopy(p, 1, out, idx.length, p.length - 1);
        return;
      }
      case "segment_sum": {
        int[] d = shapes[n.input(0).id()];
        System.arraycopy(d, 0, out, 0, d.length);
        out[0] = at.i;
        return;
      }
      case "one_hot": {
        int[] idx = shapes[n.input(0).id()];
        System.arraycopy(idx, 0, out, 0, idx.length);
        out[idx.length] = at.i;
        return;
      }
      case "where":
      case "add":
      case "sub":
      case "mul":
      case "div":
      case "maximum":
      case "minimum":
      case "pow":
      case "greater":
      case "greater_equal":
      case "less":
      case "less_equal":
      case "equal": {
        Arrays.fill(out, 1);
        for (int k = 0; k < n.inputs().size(); k++) {
          int[] s = shapes[n.input(k).id()];
          int lead = out.length - s.length;
          for (int i = 0; i < s.length; i++) {
            if (s[i] != 1) {
              out[i + lead] = s[i];
            }
          }
        }
        return;
      }
      default:
        if (SpatialStep.concrete(n, at, shapes, out)) {
          return;
        }
        // Unary, clip, cast, stop_gradient, softmax, random_uniform: the shape of input 0.
        System.arraycopy(shapes[n.input(0).id()], 0, out, 0, out.length);
    }
  }

  static boolean[] reducedMask(int[] axes, int rank) {
    boolean[] r = new boolean[rank];
    for (int a : axes) {
      r[a < 0 ? a + rank : a] = true;
    }
    return r;
  }

  // ------------------------------------------------------------------ steps

  /** Rows {@code [r0, r1)} of a node of {@code cols} values per row, flat into {@code dst}. */
  static void readBlock(Mat m, int r0, int r1, int cols, float[] dst, float[] scratch) {
    if (m.cols == cols) {
      m.readRows(r0, r1, dst, 0);
      return;
    }
    for (int r = r0; r < r1; r++) {
      System.arraycopy(m.row(r, scratch), 0, dst, (r - r0) * cols, cols);
    }
  }

  /** Rows {@code [r0, r1)} of a node of {@code cols} values per row, from flat {@code src}. */
  static void writeBlock(Mat m, int r0, int r1, int cols, float[] src, float[] scratch) {
    if (m.cols == cols) {
      m.writeRows(r0, r1, src, 0);
      return;
    }
    for (int r = r0; r < r1; r++) {
      float[] target = m.target(r, scratch);
      System.arraycopy(src, (r - r0) * cols, target, 0, cols);
      if (target == scratch) {
        m.rowRange(r, cols, m.cols, scratch);
      }
      m.commit(r, target);
    }
  }

  /** One kernel launch of a compiled program, on a {@link Frame}'s buffers. */
  abstract static class Step {
    /** The node the step computes. */
    final int id;

    Step(int id) {
      this.id = id;
    }

    /** Runs the step. */
    abstract void run(Frame f);

    /** Chunk {@code chunk} of {@code chunks} of a step split over the pool. */
    void chunk(Frame f, int chunk, int chunks, int worker) {
      throw new UnsupportedOperationException();
    }

    /** Flat staging this step needs: input positions (by input order) and whether the output. */
    int[] stagedInputs() {
      return new int[0];
    }

    boolean stagesOutput() {
      return false;
    }

    /**
     * Adds the matrix products this step runs, at the node shapes {@code shapes} of one batch
     * size, to {@code out}; steps without products add nothing.
     */
    void gemmShapes(int[][] shapes, List<GemmShape> out) {}

    /** Splits rows over the pool when the work is large enough, else runs them here. */
    final void split(Frame f, int rows, long work) {
      if (f.pool == null || rows < 2 || work < PARALLEL_WORK || f.pool.threads() < 2) {
        chunk(f, 0, 1, 0);
        return;
      }
      int chunks = Math.min(rows, f.pool.threads() * 2);
      f.runner.step = this;
      f.pool.run(f.runner, chunks);
      f.runner.step = null;
    }
  }

  /** A fused element-wise row program. */
  static final class Fused extends Step {
    final int[] leafIds;
    final int[] leafModes;
    final int[] ops;
    final int[] a;
    final int[] b;
    final int[] c;
    final float[] lo;
    final float[] hi;
    final int slotCount;

    Fused(int id, int[] leafIds, int[] leafModes, int[] ops, int[] a, int[] b, int[] c,
        float[] lo, float[] hi) {
      super(id);
      this.leafIds = leafIds;
      this.leafModes = leafModes;
      this.ops = ops;
      this.a = a;
      this.b = b;
      this.c = c;
      this.lo = lo;
      this.hi = hi;
      this.slotCount = leafIds.length + ops.length;
    }

    @Override
    void run(Frame f) {
      int rows = f.rows[id];
      if (rows == 1 && f.cols[id] == 1) {
        runScalar(f);
        return;
      }
      split(f, rows, (long) rows * f.cols[id] * ops.length);
    }

    /** One element: the row program on scalars, no row loops. */
    private void runScalar(Frame f) {
      float[] reg = f.scalarRegs;
      float[] scratch = f.slotScratch[0][0];
      int leaves = leafIds.length;
      for (int l = 0; l < leaves; l++) {
        reg[l] = f.buf[leafIds[l]].row(0, scratch)[0];
      }
      int last = ops.length - 1;
      for (int i = 0; i <= last; i++) {
        reg[leaves + i] = FlatKernels.scalar(ops[i], reg[a[i]], b[i] < 0 ? 0f : reg[b[i]],
            c[i] < 0 ? 0f : reg[c[i]], lo[i], hi[i]);
      }
      Mat out = f.buf[id];
      float[] target = out.target(0, scratch);
      target[0] = reg[leaves + last];
      out.commit(0, target);
    }

    @Override
    void chunk(Frame f, int chunk, int chunks, int worker) {
      int rows = f.rows[id];
      int cols = f.cols[id];
      int from = (int) ((long) rows * chunk / chunks);
      int to = (int) ((long) rows * (chunk + 1) / chunks);
      // Off-heap rows are copies either way: whole blocks of them cost one copy, not one a row.
      if (cols < FLAT_COLS || (!(f.buf[id] instanceof HeapMat) && cols <= FLAT_BLOCK)) {
        chunkFlat(f, from, to, worker, cols);
        return;
      }
      float[][] slot = f.slots[worker];
      float[][] own = f.slotScratch[worker];
      int leaves = leafIds.length;
      for (int l = 0; l < leaves; l++) {
        Mat m = f.buf[leafIds[l]];
        if (leafModes[l] == ROW) {
          slot[l] = m.row(0, own[l]);
        } else if (leafModes[l] == SCALAR) {
          float v = m.row(0, own[l])[0];
          Arrays.fill(own[l], 0, cols, v);
          slot[l] = own[l];
        }
      }
      for (int t = 0; t < ops.length; t++) {
        slot[leaves + t] = own[leaves + t];
      }
      Mat out = f.buf[id];
      float[] outScratch = own[slotCount];
      int last = ops.length - 1;
      for (int r = from; r < to; r++) {
        for (int l = 0; l < leaves; l++) {
          int mode = leafModes[l];
          if (mode == FULL) {
            slot[l] = f.buf[leafIds[l]].row(r, own[l]);
          } else if (mode == COL) {
            float v = f.buf[leafIds[l]].row(r, own[l])[0];
            Arrays.fill(own[l], 0, cols, v);
            slot[l] = own[l];
          }
        }
        float[] target = out.target(r, outScratch);
        slot[leaves + last] = target;
        for (int i = 0; i <= last; i++) {
          FlatKernels.apply(ops[i], slot[leaves + i], slot[a[i]], b[i] < 0 ? null : slot[b[i]],
              c[i] < 0 ? null : slot[c[i]], lo[i], hi[i], cols);
        }
        out.commit(r, target);
      }
    }
    /**
     * Narrow rows: the leaves gathered into flat blocks of whole rows, so that each op runs one
     * loop over many rows instead of a call per row and op. The same element-wise formulas in
     * the same order as the row path, so the same bits.
     */
    private void chunkFlat(Frame f, int from, int to, int worker, int cols) {
      float[][] flat = f.flat[worker];
      float[] scratch = f.slotScratch[worker][0];
      int leaves = leafIds.length;
      int block = Math.max(1, FLAT_BLOCK / Math.max(1, cols));
      int last = ops.length - 1;
      Mat out = f.buf[id];
      for (int r0 = from; r0 < to; r0 += block) {
        int r1 = Math.min(to, r0 + block);
        int n = (r1 - r0) * cols;
        for (int l = 0; l < leaves; l++) {
          Mat m = f.buf[leafIds[l]];
          float[] dst = flat[l];
          switch (leafModes[l]) {
            case FULL:
              readBlock(m, r0, r1, cols, dst, scratch);
              break;
            case ROW: {
              float[] row = m.row(0, scratch);
              for (int r = r0; r < r1; r++) {
                System.arraycopy(row, 0, dst, (r - r0) * cols, cols);
              }
              break;
            }
            case COL:
              for (int r = r0; r < r1; r++) {
                float v = m.row(r, scratch)[0];
                Arrays.fill(dst, (r - r0) * cols, (r - r0 + 1) * cols, v);
              }
              break;
            default:
              Arrays.fill(dst, 0, n, m.row(0, scratch)[0]);
          }
        }
        for (int i = 0; i <= last; i++) {
          FlatKernels.apply(ops[i], flat[leaves + i], flat[a[i]], b[i] < 0 ? null : flat[b[i]],
              c[i] < 0 ? null : flat[c[i]], lo[i], hi[i], n);
        }
        writeBlock(out, r0, r1, cols, flat[leaves + last], scratch);
      }
    }
  }

  /** An op-set matrix product through the engine. */
  static final class MatMul extends Step {
    final int a;
    final int b;
    final boolean ta;
    final boolean tb;

    MatMul(int id, int a, int b, boolean ta, boolean tb) {
      super(id);
      this.a = a;
      this.b = b;
      this.ta = ta;
      this.tb = tb;
    }

    @Override
    void gemmShapes(int[][] shapes, List<GemmShape> out) {
      int[] as = shapes[a];
      int[] bs = shapes[b];
      if (as.length == 2 && bs.length == 2) {
        out.add(new GemmShape(ta, tb, ta ? as[1] : as[0], tb ? bs[0] : bs[1],
            ta ? as[0] : as[1]));
      }
    }

    @Override
    void run(Frame f) {
      int[] as = f.shape[a];
      int[] bs = f.shape[b];
      int m = ta ? as[1] : as[0];
      int k = ta ? as[0] : as[1];
      int n = tb ? bs[0] : bs[1];
      if (m == 0 || n == 0) {
        return;
      }
      if (k == 0) {
        Mat c = f.buf[id];
        float[] s = f.slotScratch[0][0];
        for (int r = 0; r < m; r++) {
          float[] row = c.target(r, s);
          Arrays.fill(row, 0, n, 0f);
          c.commit(r, row);
        }
        return;
      }
      f.multiplier.multiply(ta, tb, m, n, k, f.buf[a], f.buf[b], f.buf[id], false);
    }
  }

  /** sum, mean and max. */
  static final class Reduce extends Step {
    static final int LAST = 0;
    static final int FIRST = 1;
    static final int GENERAL = 2;
    final int x;
    final int kind;
    final int layout;
    final boolean[] reducedStatic;
    /** FIRST over more than one axis: accumulated in double, as the general kernel does. */
    final boolean wide;

    private Reduce(int id, int x, int kind, int layout, boolean[] reduced) {
      super(id);
      this.wide = layout == FIRST && reduced.length > 2;
      this.x = x;
      this.kind = kind;
      this.layout = layout;
      this.reducedStatic = reduced;
    }

    static Reduce of(Node n) {
      int kind = switch (n.opName()) {
        case "sum" -> 0;
        case "mean" -> 1;
        default -> 2;
      };
      int rank = n.input(0).rank();
      boolean[] reduced = reducedMask(n.attrs().ints("axes"), rank);
      int count = 0;
      for (boolean r : reduced) {
        count += r ? 1 : 0;
      }
      int layout = GENERAL;
      if (rank >= 1 && count == 1 && reduced[rank - 1]) {
        layout = LAST;
      } else if (rank >= 2 && count == rank - 1 && !reduced[rank - 1]) {
        // Every axis but the last (a bias gradient, also of a convolution): column sums of the
        // 2-d view.
        layout = FIRST;
      }
      return new Reduce(n.id(), n.input(0).id(), kind, layout, reduced);
    }

    @Override
    int[] stagedInputs() {
      return layout == GENERAL ? new int[] {0} : new int[0];
    }

    @Override
    boolean stagesOutput() {
      return layout != FIRST;
    }

    @Override
    void run(Frame f) {
      if (layout == GENERAL) {
        float[] in = f.stageIn[id][0];
        FlatKernels.readFlat(f.buf[x], f.cols[x], f.size[x], in, f.slotScratch[0][0]);
        FlatKernels.reduce(kind, in, f.shape[x], reducedStatic, f.stageOut[id], f.size[id],
            f.acc, f.index);
        FlatKernels.writeFlat(f.buf[id], f.cols[id], f.size[id], f.stageOut[id], 0,
            f.slotScratch[0][0]);
        return;
      }
      if (layout == LAST) {
        int rows = f.rows[x];
        split(f, rows, (long) rows * f.cols[x]);
        FlatKernels.writeFlat(f.buf[id], f.cols[id], f.size[id], f.stageOut[id], 0,
            f.slotScratch[0][0]);
        return;
      }
      int cols = f.cols[x];
      split(f, cols, (long) f.rows[x] * cols);
    }

    @Override
    void chunk(Frame f, int chunk, int chunks, int worker) {
      Mat in = f.buf[x];
      float[] scratch = f.slotScratch[worker][0];
      if (layout == LAST) {
        int rows = f.rows[x];
        int cols = f.cols[x];
        int from = (int) ((long) rows * chunk / chunks);
        int to = (int) ((long) rows * (chunk + 1) / chunks);
        float[] out = f.stageOut[id];
        for (int r = from; r < to; r++) {
          float[] row = in.row(r, scratch);
          double acc;
          if (kind == 2) {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
              m = Math.max(m, row[j]);
            }
            acc = m;
          } else {
            acc = 0;
            for (int j = 0; j < cols; j++) {
              acc += row[j];
            }
            if (kind == 1) {
              acc /= cols == 0 ? Double.NaN : cols;
            }
          }
          out[r] = (float) acc;
        }
        return;
      }
      // FIRST: column sums over the rows, cut by columns; each sum runs over rows in order.
      int rows = f.rows[x];
      int cols = f.cols[x];
      int from = (int) ((long) cols * chunk / chunks);
      int to = (int) ((long) cols * (chunk + 1) / chunks);
      Mat out = f.buf[id];
      float[] target = out.row(0, f.slotScratch[worker][1]);
      float init = kind == 2 ? Float.NEGATIVE_INFINITY : 0f;
      Arrays.fill(target, from, to, init);
      float[] block = f.flat[worker][0];
      if (wide && kind != 2) {
        // Sums over several axes (a convolution's bias gradient) in double, in the general
        // kernel's order, so its bits: near-zero gradients stay near zero for Adam. Workers own
        // disjoint columns of the frame's accumulator.
        double[] acc = f.acc;
        Arrays.fill(acc, from, to, 0.0);
        boolean heap = in instanceof HeapMat || cols > block.length;
        int step = heap ? 1 : block.length / cols;
        for (int r0 = 0; r0 < rows; r0 += step) {
          int r1 = Math.min(rows, r0 + step);
          float[] src;
          int o;
          if (heap) {
            src = in.rowRange(r0, from, to, scratch);
            o = 0;
          } else {
            in.readRows(r0, r1, block, 0);
            src = block;
            o = 0;
          }
          for (int r = r0; r < r1; r++, o += cols) {
            for (int j = from; j < to; j++) {
              acc[j] += src[o + j];
            }
          }
        }
        for (int j = from; j < to; j++) {
          target[j] = (float) (kind == 1 ? acc[j] / rows : acc[j]);
        }
      } else if (!(in instanceof HeapMat) && cols <= block.length) {
        // Off-heap: whole rows in blocks (one bulk copy each, not one per row), summed in the
        // same row order, so the same bits.
        int step = block.length / cols;
        for (int r0 = 0; r0 < rows; r0 += step) {
          int r1 = Math.min(rows, r0 + step);
          in.readRows(r0, r1, block, 0);
          for (int r = r0, o = 0; r < r1; r++, o += cols) {
            if (kind == 2) {
              for (int j = from; j < to; j++) {
                target[j] = Math.max(target[j], block[o + j]);
              }
            } else {
              for (int j = from; j < to; j++) {
                target[j] += block[o + j];
              }
            }
          }
        }
      } else {
        columns(in, rows, from, to, target, scratch);
      }
      if (kind == 1 && !wide) {
        float div = rows == 0 ? Float.NaN : rows;
        for (int j = from; j < to; j++) {
          target[j] /= div;
        }
      }
      if (out instanceof HeapMat) {
        return;
      }
      synchronized (out) {
        // Off-heap: write back this chunk's columns only.
        float[] whole = out.row(0, f.slotScratch[worker][2]);
        System.arraycopy(target, from, whole, from, to - from);
        out.commit(0, whole);
      }
    }

    private void columns(Mat in, int rows, int from, int to, float[] target, float[] scratch) {
      for (int r = 0; r < rows; r++) {
        float[] row = in.rowRange(r, from, to, scratch);
        if (kind == 2) {
          for (int j = from; j < to; j++) {
            target[j] = Math.max(target[j], row[j]);
          }
        } else {
          for (int j = from; j < to; j++) {
            target[j] += row[j];
          }
        }
      }
    }
  }

  /** softmax and log_softmax: row-wise over the last axis, else the flat kernel. */
  static final class Softmax extends Step {
    final int x;
    final boolean log;
    final int axis;
    final boolean last;

    Softmax(Node n) {
      super(n.id());
      this.x = n.input(0).id();
      this.log = n.opName().equals("log_softmax");
      this.axis = Math.floorMod(n.attrs().i("axis"), Math.max(1, n.rank()));
      this.last = axis == n.rank() - 1;
    }

    @Override
    int[] stagedInputs() {
      return last ? new int[0] : new int[] {0};
    }

    @Override
    boolean stagesOutput() {
      return !last;
    }

    @Override
    void run(Frame f) {
      if (!last) {
        float[] in = f.stageIn[id][0];
        FlatKernels.readFlat(f.buf[x], f.cols[x], f.size[x], in, f.slotScratch[0][0]);
        FlatKernels.softmax(log, in, f.shape[x], axis, f.stageOut[id]);
        FlatKernels.writeFlat(f.buf[id], f.cols[id], f.size[id], f.stageOut[id], 0,
            f.slotScratch[0][0]);
        return;
      }
      int rows = f.rows[id];
      split(f, rows, (long) rows * f.cols[id] * 8);
    }

    @Override
    void chunk(Frame f, int chunk, int chunks, int worker) {
      int rows = f.rows[id];
      int cols = f.cols[id];
      int from = (int) ((long) rows * chunk / chunks);
      int to = (int) ((long) rows * (chunk + 1) / chunks);
      Mat in = f.buf[x];
      Mat out = f.buf[id];
      float[] s0 = f.slotScratch[worker][0];
      float[] s1 = f.slotScratch[worker][1];
      for (int r = from; r < to; r++) {
        float[] src = in.row(r, s0);
        float[] dst = out.target(r, s1);
        FlatKernels.softmaxRow(log, src, dst, cols);
        out.commit(r, dst);
      }
    }
  }

  /** An element-wise op whose broadcasting the row programs do not cover. */
  static final class GenericElementwise extends Step {
    final int[] inputs;
    final int op;
    final float lo;
    final float hi;

    GenericElementwise(Node n) {
      super(n.id());
      int count = operandCount(n);
      this.inputs = new int[count];
      for (int i = 0; i < count; i++) {
        inputs[i] = n.input(i).id();
      }
      if (n.opName().equals("cast")) {
        boolean toInt = n.dtype() == DType.INT32 && n.input(0).dtype() == DType.FLOAT32;
        op = toInt ? FlatKernels.TO_INT : FlatKernels.COPY;
      } else {
        op = FlatKernels.opcode(n.opName());
      }
      lo = op == FlatKernels.CLIP ? (float) n.attrs().d("min") : 0f;
      hi = op == FlatKernels.CLIP ? (float) n.attrs().d("max") : 0f;
    }

    @Override
    int[] stagedInputs() {
      int[] s = new int[inputs.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = i;
      }
      return s;
    }

    @Override
    boolean stagesOutput() {
      return true;
    }

    @Override
    void run(Frame f) {
      float[][] in = f.stageIn[id];
      for (int i = 0; i < inputs.length; i++) {
        int x = inputs[i];
        FlatKernels.readFlat(f.buf[x], f.cols[x], f.size[x], in[i], f.slotScratch[0][0]);
      }
      FlatKernels.broadcast(op, f.stageOut[id], f.shape[id], in[0], f.shape[inputs[0]],
          inputs.length > 1 ? in[1] : null, inputs.length > 1 ? f.shape[inputs[1]] : null,
          inputs.length > 2 ? in[2] : null, inputs.length > 2 ? f.shape[inputs[2]] : null, lo, hi,
          f.index);
      FlatKernels.writeFlat(f.buf[id], f.cols[id], f.size[id], f.stageOut[id], 0,
          f.slotScratch[0][0]);
    }
  }

  /** The remaining ops on flat staging: shapes, indexing, random, numel. */
  static final class Generic extends Step {
    final Node node;
    final String op;
    final int[] inputs;
    final int[] ints;
    final float value;
    final long seed;
    final long salt;

    Generic(Node n) {
      super(n.id());
      this.node = n;
      this.op = n.opName();
      this.inputs = n.inputs().stream().mapToInt(Node::id).toArray();
      Attrs at = n.attrs();
      this.ints = switch (op) {
        case "transpose" -> at.ints("perm");
        case "slice" -> at.ints("begin");
        case "pad" -> at.ints("paddings");
        case "numel" -> at.ints("axes");
        default -> new int[0];
      };
      this.value = op.equals("pad") ? (float) at.d("value") : 0f;
      this.seed = op.equals("random_uniform") ? at.l("seed") : 0;
      this.salt = op.equals("random_uniform") ? at.l("salt") : 0;
    }

    @Override
    int[] stagedInputs() {
      if (op.equals("random_uniform") || op.equals("numel")) {
        return op.equals("random_uniform") ? new int[] {1} : new int[0];
      }
      int[] s = new int[inputs.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = i;
      }
      return s;
    }

    @Override
    boolean stagesOutput() {
      return true;
    }

    @Override
    void run(Frame f) {
      float[][] in = f.stageIn[id];
      int[] staged = stagedInputs0(f);
      for (int i : staged) {
        int x = inputs[i];
        FlatKernels.readFlat(f.buf[x], f.cols[x], f.size[x], in[i], f.slotScratch[0][0]);
      }
      float[] out = f.stageOut[id];
      int[] os = f.shape[id];
      int size = f.size[id];
      switch (op) {
        case "reshape":
          System.arraycopy(in[0], 0, out, 0, size);
          break;
        case "transpose":
          FlatKernels.transpose(in[0], f.shape[inputs[0]], ints, out, os, f.index, f.index2);
          break;
        case "slice":
          FlatKernels.slice(in[0], f.shape[inputs[0]], ints, out, os, f.index, f.index2);
          break;
        case "pad":
          FlatKernels.pad(in[0], f.shape[inputs[0]], ints, value, out, os, f.index, f.index2);
          break;
        case "concat": {
          int axis = Math.floorMod(node.attrs().i("axis"), os.length);
          int outer = 1;
          for (int i = 0; i < axis; i++) {
            outer *= os[i];
          }
          int pos = 0;
          for (int r = 0; r < outer; r++) {
            for (int k = 0; k < inputs.length; k++) {
              int chunk = outer == 0 ? 0 : f.size[inputs[k]] / outer;
              System.arraycopy(in[k], r * chunk, out, pos, chunk);
              pos += chunk;
            }
          }
          break;
        }
        case "gather": {
          int[] ps = f.shape[inputs[0]];
          int rows = ps[0];
          int row = rows == 0 ? 0 : f.size[inputs[0]] / rows;
          int count = f.size[inputs[1]];
          for (int i = 0; i < count; i++) {
            float v = in[1][i];
            int r = (int) v;
            if (r < 0 || r >= rows || r != v) {
              throw new IllegalArgumentException("gather: index " + v + " at position " + i
                  + " is outside [0, " + rows + ")");
            }
            System.arraycopy(in[0], r * row, out, i * row, row);
          }
          break;
        }
        case "segment_sum": {
          int num = os[0];
          int row = num == 0 ? 0 : size / num;
          Arrays.fill(out, 0, size, 0f);
          int count = f.size[inputs[1]];
          for (int i = 0; i < count; i++) {
            int s = (int) in[1][i];
            if (s < 0 || s >= num) {
              throw new IllegalArgumentException("segment_sum: id " + s + " outside [0, " + num
                  + ")");
            }
            for (int j = 0; j < row; j++) {
              out[s * row + j] += in[0][i * row + j];
            }
          }
          break;
        }
        case "one_hot": {
          int depth = os[os.length - 1];
          Arrays.fill(out, 0, size, 0f);
          int count = f.size[inputs[0]];
          for (int i = 0; i < count; i++) {
            int c = (int) in[0][i];
            if (c >= 0 && c < depth) {
              out[i * depth + c] = 1f;
            }
          }
          break;
        }
        case "random_uniform": {
          long iteration = inputs[1] == f.compiled.iterationId ? f.iteration : (long) in[1][0];
          long key = dev.backplane.ops.Random.key(seed, iteration, salt);
          for (int i = 0; i < size; i++) {
            out[i] = dev.backplane.ops.Random.uniform(key, i);
          }
          break;
        }
        case "numel": {
          int[] xs = f.shape[inputs[0]];
          float n = 1;
          for (int a : ints) {
            n *= xs[Math.floorMod(a, xs.length)];
          }
          out[0] = n;
          break;
        }
        default:
          throw new IllegalStateException("No kernel for op '" + op + "'");
      }
      FlatKernels.writeFlat(f.buf[id], f.cols[id], size, out, 0, f.slotScratch[0][0]);
    }

    private int[] stagedInputs0(Frame f) {
      return f.staged[id];
    }
  }
}
