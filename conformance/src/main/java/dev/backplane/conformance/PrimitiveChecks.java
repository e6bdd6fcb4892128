package dev.backplane.conformance;

import dev.backplane.model.Loss;
import dev.backplane.model.Programs;
import dev.backplane.ops.DType;
import dev.backplane.ops.Node;
import dev.backplane.ops.Op;
import dev.backplane.ops.OpSet;
import dev.backplane.ops.Ops;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code op/<op>} and {@code op/<op>/gradient}: every op of the {@link OpSet} except the source
 * ops, each in a one-op custom {@link OpLayer}, run through the public SPI only (so a third
 * party's backend is tested exactly as the api's own). Forward: {@code predict} against the
 * float64 {@link dev.backplane.ops.Interpreter} (through {@link InterpreterExecutable}).
 * Gradient (differentiable ops only): the weight change of one SGD step with learning rate 1 on
 * the custom loss {@code sum(out * c)} for a fixed {@code c} against central finite differences
 * of the interpreter's loss. Inputs keep at least 0.1 from every kink (abs, relu, clip, maximum,
 * the integer steps of cast, ties of max). An op the backend does not list in
 * {@link dev.backplane.spi.Backend#supportedOps()} is a skip with that reason, never a pass; so is
 * an op the probe needs besides it (the training step's own ops, a cast for integer indices).
 */
final class PrimitiveChecks {
  /** Samples per probe batch. */
  static final int BATCH = 4;
  private static final long SEED = 23;
  private static final double MARGIN = 0.1;

  private PrimitiveChecks() {}

  /** Inputs per element: a function of the random stream and the element's flat index. */
  @FunctionalInterface
  interface Gen {
    double next(SplittableRandom r, int index);
  }

  /**
   * One op's probe.
   *
   * @param op the op under test
   * @param inputShape per-sample input shape
   * @param x generator of the inputs
   * @param vShape shape of the second operand (a constant plus a zero weight), or {@code null}
   * @param b generator of the second operand's constant
   * @param body builds the output from the inputs
   */
  record Case(Op op, int[] inputShape, Gen x, int[] vShape, Gen b, Body body) {
    String name() {
      return op.name();
    }
  }

  /** Like {@link OpLayer.Body}, with the second operand's constant {@code b} given. */
  @FunctionalInterface
  interface Body {
    Node build(Ops o, Node x, Node xw, Node bv, dev.backplane.model.LayerContext ctx);
  }

  static Gen uni(double lo, double hi) {
    return (r, i) -> r.nextDouble(lo, hi);
  }

  /** Uniform in [lo, hi) at least {@link #MARGIN} from each kink. */
  static Gen away(double lo, double hi, double... kinks) {
    return (r, i) -> {
      while (true) {
        double v = r.nextDouble(lo, hi);
        boolean ok = true;
        for (double k : kinks) {
          ok &= Math.abs(v - k) >= MARGIN;
        }
        if (ok) {
          return v;
        }
      }
    };
  }

  /** One of these values (ties and exact zeros for the comparisons). */
  static Gen pick(double... values) {
    return (r, i) -> values[r.nextInt(values.length)];
  }

  /** Exactly these values, in order, cycling. */
  static Gen fixed(double... values) {
    return (r, i) -> values[i % values.length];
  }

  private static final int[] IN4 = {4};
  private static final int[] IN3 = {3};
  private static final int[] IN23 = {2, 3};

  /** The probe of every non-source op, in op-set order. */
  static List<Case> cases() {
    Map<String, Case> byName = new LinkedHashMap<>();
    unary(byName, "neg", uni(-1, 1), Ops::neg);
    unary(byName, "square", uni(-1, 1), null);
    unary(byName, "sqrt", uni(0.5, 2), null);
    unary(byName, "rsqrt", uni(0.5, 2), null);
    unary(byName, "exp", uni(-1, 1), null);
    unary(byName, "expm1", uni(-1, 1), null);
    unary(byName, "log", uni(0.5, 2), null);
    unary(byName, "log1p", uni(-0.5, 1), null);
    unary(byName, "tanh", uni(-2, 2), null);
    unary(byName, "sigmoid", uni(-3, 3), null);
    unary(byName, "erf", uni(-2, 2), null);
    unary(byName, "abs", away(-1, 1, 0), null);
    unary(byName, "sign", pick(-0.75, -0.25, 0, 0.5, 1), null);
    unary(byName, "relu", away(-1, 1, 0), null);
    binary(byName, "add", uni(-1, 1), uni(-1, 1), Ops::add);
    binary(byName, "sub", uni(-1, 1), uni(-1, 1), Ops::sub);
    binary(byName, "mul", uni(-1, 1), uni(-1, 1), Ops::mul);
    binary(byName, "div", uni(-1, 1), away(-1.5, 1.5, -0.4, 0, 0.4), Ops::div);
    binary(byName, "maximum", away(-1, 1, -0.2, 0, 0.2), uni(-0.1, 0.1), Ops::maximum);
    binary(byName, "minimum", away(-1, 1, -0.2, 0, 0.2), uni(-0.1, 0.1), Ops::minimum);
    binary(byName, "pow", uni(0.5, 2), uni(0.5, 2.5), Ops::pow);
    Gen ties = pick(-1, -0.25, 0, 0.5, 1);
    Gen tiesB = fixed(0.5, -0.25, 0, 1);
    binary(byName, "greater", ties, tiesB, Ops::greater);
    binary(byName, "greater_equal", ties, tiesB, Ops::greaterEqual);
    binary(byName, "less", ties, tiesB, Ops::less);
    binary(byName, "less_equal", ties, tiesB, Ops::lessEqual);
    binary(byName, "equal", ties, tiesB, Ops::equal);
    put(byName, "where", IN4, uni(-1, 1), IN4, uni(-1, 1), (o, x, xw, bv, c) ->
        o.where(o.constant(new float[] {1, 0, 0, 1}, 4), xw, bv));
    put(byName, "clip", IN4, away(-1, 1, -0.5, 0.5), null, null,
        (o, x, xw, bv, c) -> o.clip(xw, -0.5, 0.5));
    put(byName, "cast", IN4, away(-2.5, 2.5, -2, -1, 0, 1, 2), null, null,
        (o, x, xw, bv, c) -> o.add(o.cast(o.cast(xw, DType.INT32), DType.FLOAT32),
            o.mul(o.cast(xw, DType.FLOAT32), o.scalar(0.5))));
    put(byName, "stop_gradient", IN4, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.mul(o.stopGradient(xw), o.scalar(2)));
    put(byName, "softmax", IN4, uni(-2, 2), null, null, (o, x, xw, bv, c) -> o.softmax(xw, -1));
    put(byName, "log_softmax", IN4, uni(-2, 2), null, null,
        (o, x, xw, bv, c) -> o.logSoftmax(xw, -1));
    put(byName, "sum", IN23, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.sum(xw, new int[] {2}, false));
    put(byName, "mean", IN23, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.mean(xw, new int[] {-1}, false));
    double[] spread = {-0.6, 0.1, 0.8};
    put(byName, "max", IN23, (r, i) -> spread[(i + i / 3) % 3] + r.nextDouble(-0.05, 0.05),
        null, null, (o, x, xw, bv, c) -> o.max(xw, new int[] {2}, false));
    put(byName, "matmul", IN3, uni(-1, 1), new int[] {3, 2}, uni(-1, 1), (o, x, xw, bv, c) ->
        o.add(o.matmul(xw, bv), o.matmul(xw, o.constant(new float[] {0.5f, -1, 0.25f, 1,
            0.75f, -0.5f}, 2, 3), false, true)));
    put(byName, "reshape", IN23, uni(-1, 1), null, null, (o, x, xw, bv, c) -> o.reshape(xw, -1, 6));
    put(byName, "transpose", IN23, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.reshape(o.transpose(xw, 0, 2, 1), -1, 6));
    put(byName, "broadcast_like", IN23, uni(-1, 1), IN3, uni(-1, 1),
        (o, x, xw, bv, c) -> o.reshape(o.mul(o.broadcastLike(bv, xw), xw), -1, 6));
    put(byName, "slice", new int[] {5}, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.slice(xw, new int[] {0, 1}, new int[] {-1, 3}));
    put(byName, "pad", IN3, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.pad(xw, new int[] {0, 0, 1, 2}, 0.5));
    put(byName, "concat", IN3, uni(-1, 1), IN3, uni(-1, 1),
        (o, x, xw, bv, c) -> o.concat(List.of(xw, o.mul(x, bv)), 1));
    put(byName, "numel", IN4, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.broadcastLike(o.numel(xw, new int[] {0, 1}), xw));
    put(byName, "gather", new int[] {1}, pick(0.25, 1.25, 2.25, 3.25, 4.25), new int[] {5, 3},
        uni(-1, 1), (o, x, xw, bv, c) -> o.gather(bv, o.reshape(o.cast(x, DType.INT32), -1)));
    put(byName, "segment_sum", IN4, (r, i) -> i % 4 == 0 ? r.nextInt(3) + 0.25
        : r.nextDouble(-1, 1), null, null, (o, x, xw, bv, c) -> {
          Node ids = o.reshape(o.cast(o.slice(x, new int[] {0, 0}, new int[] {-1, 1}),
              DType.INT32), -1);
          Node data = o.slice(xw, new int[] {0, 1}, new int[] {-1, 3});
          return o.gather(o.segmentSum(data, ids, 3), ids);
        });
    put(byName, "one_hot", new int[] {1}, pick(-1.25, 0.25, 1.25, 2.25, 3.25, 4.25), null, null,
        (o, x, xw, bv, c) -> o.oneHot(o.reshape(o.cast(xw, DType.INT32), -1), 4));
    put(byName, "random_uniform", IN4, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> o.randomUniform(xw, c.iteration(), c.seed(), c.salt()));
    convolutionAndPooling(byName);
    List<Case> out = new ArrayList<>();
    for (Op op : OpSet.all()) {
      if (op.doc().family().equals("source")) {
        continue;
      }
      Case c = byName.get(op.name());
      if (c == null) {
        throw new IllegalStateException("The conformance kit has no probe for op '" + op.name()
            + "'; add one to PrimitiveChecks.cases()");
      }
      out.add(c);
    }
    return out;
  }

  private static dev.backplane.ops.Attrs geometry(int[] strides, int[] pads) {
    return dev.backplane.ops.Attrs.of("strides", strides, "pads", pads, "dilations",
        new int[] {1, 1}, "groups", 1);
  }

  /** Probes of broadcast_to, the convolution ops and the pooling ops. */
  private static void convolutionAndPooling(Map<String, Case> byName) {
    put(byName, "broadcast_to", IN3, uni(-1, 1), null, null, (o, x, xw, bv, c) ->
        o.reshape(o.broadcastTo(o.reshape(xw, -1, 1, 3), -1, 2, 3), -1, 6));
    int[] img = {5, 4, 2};
    int[] strides = {2, 1};
    int[] same = Ops.samePads(new int[] {5, 4}, new int[] {3, 2}, strides, new int[] {1, 1});
    int[] kernel = {3, 2, 2, 3};
    put(byName, "conv", img, uni(-1, 1), kernel, uni(-1, 1), (o, x, xw, bv, c) ->
        o.reshape(o.conv(xw, bv, strides, same, new int[] {1, 1}, 1), -1, 36));
    put(byName, "conv_input_grad", new int[] {3, 4, 3}, uni(-1, 1), kernel, uni(-1, 1),
        (o, x, xw, bv, c) -> o.reshape(o.convTranspose(xw, bv, img, strides, same,
            new int[] {1, 1}, 1), -1, 40));
    float[] fixedKernel = new float[36];
    for (int i = 0; i < fixedKernel.length; i++) {
      fixedKernel[i] = (float) (((i * 7) % 11) / 11.0 - 0.5);
    }
    put(byName, "conv_kernel_grad", img, uni(-1, 1), new int[] {3, 4, 3}, uni(-1, 1),
        (o, x, xw, bv, c) -> {
          Node dy = o.mul(o.conv(xw, o.constant(fixedKernel, kernel), strides, same,
              new int[] {1, 1}, 1), bv);
          Node grad = o.convKernelGrad(xw, dy, kernel, geometry(strides, same));
          return o.broadcastLike(o.reshape(grad, 1, 36), o.reshape(dy, -1, 36));
        });
    put(byName, "max_pool", new int[] {4, 4, 2}, uni(-1, 1), null, null, (o, x, xw, bv, c) ->
        o.reshape(o.maxPool(xw, new int[] {2, 2}, new int[] {2, 2}, new int[4]), -1, 8));
    put(byName, "max_pool_grad", new int[] {4, 4, 2}, uni(-1, 1), new int[] {2, 2, 2},
        uni(-1, 1), (o, x, xw, bv, c) -> {
          dev.backplane.ops.Attrs a = dev.backplane.ops.Attrs.of("window", new int[] {2, 2},
              "strides", new int[] {2, 2}, "pads", new int[4]);
          Node dy = o.mul(o.maxPool(xw, new int[] {2, 2}, new int[] {2, 2}, new int[4]), bv);
          return o.reshape(o.graph().add(OpSet.get("max_pool_grad"), List.of(xw, dy), a), -1,
              32);
        });
    int[] window = {3, 2};
    int[] poolStrides = {1, 2};
    int[] pads = {1, 1, 0, 0};
    put(byName, "avg_pool", img, uni(-1, 1), null, null, (o, x, xw, bv, c) ->
        o.reshape(o.avgPool(xw, window, poolStrides, pads), -1, 20));
    put(byName, "avg_pool_grad", new int[] {5, 2, 2}, uni(-1, 1), null, null,
        (o, x, xw, bv, c) -> {
          dev.backplane.ops.Attrs a = dev.backplane.ops.Attrs.of("window", window, "strides",
              poolStrides, "pads", pads);
          Node like = o.reshape(o.concat(List.of(xw, xw), -1), -1, 5, 4, 2);
          return o.reshape(o.graph().add(OpSet.get("avg_pool_grad"), List.of(xw, like), a), -1,
              40);
        });
  }

  private interface Unary {
    Node apply(Ops o, Node x);
  }

  private interface Binary {
    Node apply(Ops o, Node a, Node b);
  }

  private static void unary(Map<String, Case> m, String op, Gen x, Unary f) {
    Unary fn = f != null ? f : (o, a) -> o.graph().add(OpSet.get(op), List.of(a),
        dev.backplane.ops.Attrs.NONE);
    put(m, op, IN4, x, null, null, (o, xx, xw, bv, c) -> fn.apply(o, xw));
  }

  private static void binary(Map<String, Case> m, String op, Gen x, Gen b, Binary f) {
    put(m, op, IN4, x, IN4, b, (o, xx, xw, bv, c) -> f.apply(o, xw, bv));
  }

  private static void put(Map<String, Case> m, String op, int[] in, Gen x, int[] vShape, Gen b,
      Body body) {
    m.put(op, new Case(OpSet.get(op), in, x, vShape, b, body));
  }

  // ------------------------------------------------------------------ the model of a probe

  /** The probe's spec: the one-op layer, the loss {@code sum(out * c)} and SGD(1). */
  static ModelSpec spec(Case c) {
    float[] b = c.vShape() == null ? null : values(c.b(), size(c.vShape()), SEED * 31 + 1);
    OpLayer layer = new OpLayer("op_" + c.name(), c.name(), c.inputShape(), c.vShape(),
        (o, x, xw, v, ctx) -> c.body().build(o, x, xw,
            v == null ? null : o.add(o.constant(b, c.vShape()), v), ctx));
    int[] outShape = layer.outputShape(c.inputShape());
    int k = size(outShape);
    float[] weights = new float[k];
    for (int j = 0; j < k; j++) {
      weights[j] = (float) ((j % 2 == 0 ? 1 : -1) * (0.5 + 0.25 * (j % 3)));
    }
    Loss loss = Loss.custom("op_probe_weighted_sum",
        (o, y, out) -> o.sum(o.mul(out, o.constant(weights, k)), -1, false));
    return ModelSpec.create("conformance_op_" + c.name(), c.inputShape(), List.of(layer), loss,
        new SGD(1.0), SEED);
  }

  static Tensor x(Case c) {
    int per = size(c.inputShape());
    int[] shape = new int[c.inputShape().length + 1];
    shape[0] = BATCH;
    System.arraycopy(c.inputShape(), 0, shape, 1, c.inputShape().length);
    float[] v = new float[BATCH * per];
    SplittableRandom r = new SplittableRandom(SEED);
    for (int s = 0; s < BATCH; s++) {
      for (int i = 0; i < per; i++) {
        v[s * per + i] = (float) c.x().next(r, i);
      }
    }
    return Tensor.wrap(v, shape);
  }

  private static float[] values(Gen g, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) g.next(r, i);
    }
    return v;
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  // ------------------------------------------------------------------ the checks

  /** Forward of one op: predict on the backend against the float64 interpreter. */
  static Measurement forward(Session s, Case c) {
    ModelSpec spec = spec(c);
    requireSupported(s, c, spec.programs(), false);
    Tensor x = x(c);
    int size = BATCH * spec.outputSize();
    float[] tested = new float[size];
    float[] reference = new float[size];
    try (Executable exe = s.compile(spec);
        Executable ref = new InterpreterExecutable(spec, s.device())) {
      exe.predict(x, tested);
      ref.predict(x, reference);
    }
    return Measurement.of(Deviation.relative(tested, reference), "predict of op '" + c.name()
        + "' (" + c.op().doc().signature() + ") on " + BATCH + " samples of "
        + java.util.Arrays.toString(c.inputShape()) + " against the float64 interpreter");
  }

  /** Gradient of one op: one SGD(1) step against central differences of the interpreter. */
  static Measurement gradient(Session s, Case c) {
    ModelSpec spec = spec(c);
    requireSupported(s, c, spec.programs(), true);
    Tensor x = x(c);
    Tensor y = Tensor.zeros(BATCH, spec.outputSize());
    float[] out = new float[BATCH * spec.outputSize()];
    ModelState before = spec.initialState();
    ModelState after;
    try (Executable exe = s.compile(spec)) {
      exe.trainStep(x, y, out);
      after = exe.snapshot();
    }
    List<Double> analytic = new ArrayList<>();
    List<Double> numeric = new ArrayList<>();
    try (Executable ref = new InterpreterExecutable(spec, s.device())) {
      for (int a = 0; a < before.parameters().size(); a++) {
        NamedArray p = before.parameters().get(a);
        float[] w0 = p.values();
        float[] w1 = after.parameter(p.name()).values();
        for (int i = 0; i < w0.length; i++) {
          analytic.add((double) w0[i] - w1[i]);
          float plus = (float) (w0[i] + Tolerances.FD_STEP);
          float minus = (float) (w0[i] - Tolerances.FD_STEP);
          double lp = lossAt(ref, before, a, i, plus, x, y, out) / BATCH;
          double lm = lossAt(ref, before, a, i, minus, x, y, out) / BATCH;
          numeric.add((lp - lm) / ((double) plus - minus));
        }
      }
    }
    double[] an = analytic.stream().mapToDouble(Double::doubleValue).toArray();
    double[] nu = numeric.stream().mapToDouble(Double::doubleValue).toArray();
    return Measurement.of(Deviation.relative(an, nu), "gradient of op '" + c.name() + "' ("
        + c.op().doc().gradient() + ") over " + an.length + " weights: one SGD(1) step against"
        + " central differences of the float64 interpreter");
  }

  private static double lossAt(Executable exe, ModelState base, int array, int index,
      float value, Tensor x, Tensor y, float[] out) {
    ModelState st = base.copy();
    st.parameters().get(array).values()[index] = value;
    exe.restore(st);
    return exe.evaluateStep(x, y, out);
  }

  /** Skips unless the backend lists the op and every other op the probe's programs use. */
  private static void requireSupported(Session s, Case c, Programs programs, boolean train) {
    Set<String> supported = s.backend().supportedOps();
    String id = s.provider().id();
    if (!supported.contains(c.name())) {
      throw new CheckSkipped("backend '" + id + "' does not list op '" + c.name()
          + "' in supportedOps()");
    }
    Set<String> needed = new LinkedHashSet<>(programs.predict().opNames());
    if (train) {
      needed.addAll(programs.train().opNames());
      needed.addAll(programs.evaluate().opNames());
    }
    needed.removeAll(supported);
    if (!needed.isEmpty()) {
      throw new CheckSkipped("the probe of op '" + c.name() + "' also needs ops " + needed
          + ", which backend '" + id + "' does not list in supportedOps()");
    }
  }
}
