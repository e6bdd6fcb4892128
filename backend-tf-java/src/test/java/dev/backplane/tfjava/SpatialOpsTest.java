package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.ops.DType;
import dev.backplane.ops.Gradients;
import dev.backplane.ops.Graph;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.ops.RefTensor;
import dev.backplane.spi.ModelState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The convolution, pooling and {@code broadcast_to} lowerings against the api's float64
 * {@link Interpreter}: each op's forward value and, through the api's gradient builder, its
 * gradient ops ({@code conv_input_grad}, {@code conv_kernel_grad}, {@code max_pool_grad},
 * {@code avg_pool_grad}), over 1, 2 and 3 spatial axes, strides, asymmetric pads, dilations,
 * groups and a dynamic batch.
 */
class SpatialOpsTest {
  private static final double RTOL = 1e-5;

  /** One convolution: shapes per sample are x (S..., Cin), kernel (K..., Cin/groups, Cout). */
  record ConvCase(String name, int batch, boolean dynamicBatch, int[] x, int[] kernel,
      int[] strides, int[] pads, int[] dilations, int groups) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<ConvCase> convCases() {
    return Stream.of(
        new ConvCase("1-D stride 2, pads (1, 2)", 2, true, ints(9, 3), ints(3, 3, 4), ints(2),
            ints(1, 2), ints(1), 1),
        new ConvCase("1-D dilation 2, groups 2", 2, true, ints(10, 4), ints(3, 2, 6), ints(1),
            ints(2, 0), ints(2), 2),
        new ConvCase("2-D valid", 2, false, ints(6, 7, 3), ints(3, 3, 3, 4), ints(1, 1),
            ints(0, 0, 0, 0), ints(1, 1), 1),
        new ConvCase("2-D strides (2, 3), asymmetric pads", 3, true, ints(7, 8, 3),
            ints(3, 2, 3, 5), ints(2, 3), ints(1, 2, 0, 1), ints(1, 1), 1),
        new ConvCase("2-D dilations (2, 1), pads", 2, true, ints(7, 6, 2), ints(3, 2, 2, 3),
            ints(1, 2), ints(2, 1, 1, 1), ints(2, 1), 1),
        new ConvCase("2-D groups 2, dilation, pads", 2, true, ints(6, 6, 4), ints(3, 3, 2, 6),
            ints(2, 1), ints(1, 1, 0, 2), ints(1, 2), 2),
        new ConvCase("2-D depthwise (groups 4, 2 per group)", 1, false, ints(5, 5, 4),
            ints(2, 2, 1, 8), ints(1, 1), ints(0, 1, 1, 0), ints(1, 1), 4),
        new ConvCase("3-D strides, pads, dilation", 2, true, ints(4, 5, 6, 2),
            ints(2, 3, 2, 2, 3), ints(1, 2, 1), ints(0, 1, 1, 0, 1, 1), ints(1, 1, 2), 1),
        new ConvCase("3-D groups 2", 1, true, ints(4, 4, 4, 4), ints(2, 2, 2, 2, 4),
            ints(2, 1, 1), ints(1, 0, 0, 1, 1, 1), ints(1, 1, 1), 2),
        new ConvCase("3-D valid, static batch", 2, false, ints(3, 4, 3, 2),
            ints(2, 2, 2, 2, 2), ints(1, 1, 1), ints(0, 0, 0, 0, 0, 0), ints(1, 1, 1), 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("convCases")
  void convolutionAndItsGradients(ConvCase c) {
    Graph g = new Graph();
    Ops o = new Ops(g);
    Node x = o.input("x", DType.FLOAT32, withBatch(c.dynamicBatch ? -1 : c.batch, c.x));
    Node k = o.input("k", DType.FLOAT32, c.kernel);
    Node y = o.conv(x, k, c.strides, c.pads, c.dilations, c.groups);
    Node w = o.input("w", DType.FLOAT32, y.shape());
    Node loss = o.sum(o.mul(y, w), allAxes(y.rank()), false);
    List<Node> grads = Gradients.of(loss, List.of(x, k));
    assertThat(grads.get(0).opName()).isEqualTo("conv_input_grad");
    assertThat(grads.get(1).opName()).isEqualTo("conv_kernel_grad");
    // The gradient ops' own gradients: conv_input_grad's and conv_kernel_grad's are the others.
    Node v = o.input("v", DType.FLOAT32, x.shape());
    List<Node> second = Gradients.of(o.sum(o.mul(grads.get(0), v), allAxes(x.rank()), false),
        List.of(k));

    SplittableRandom r = new SplittableRandom(c.name.hashCode());
    Map<String, RefTensor> feeds = new LinkedHashMap<>();
    feeds.put("x", random(r, withBatch(c.batch, c.x)));
    feeds.put("k", random(r, c.kernel));
    int[] yShape = y.shape().clone();
    yShape[0] = c.batch;
    feeds.put("w", random(r, yShape));
    feeds.put("v", random(r, withBatch(c.batch, c.x)));
    compare(List.of(y, grads.get(0), grads.get(1), second.get(0)), feeds,
        List.of("conv", "conv_input_grad", "conv_kernel_grad", "conv_kernel_grad (second order)"));
  }

  /** One pooling: x per sample (S..., C). */
  record PoolCase(String name, int batch, int[] x, int[] window, int[] strides, int[] pads) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<PoolCase> poolCases() {
    return Stream.of(
        new PoolCase("1-D window 3 stride 2, pads (1, 2)", 2, ints(9, 3), ints(3), ints(2),
            ints(1, 2)),
        new PoolCase("1-D same", 2, ints(8, 2), ints(3), ints(1), ints(1, 1)),
        new PoolCase("2-D valid 2x2", 2, ints(6, 7, 3), ints(2, 2), ints(2, 2), ints(0, 0, 0, 0)),
        new PoolCase("2-D same 3x3 stride 2", 2, ints(7, 7, 2), ints(3, 3), ints(2, 2),
            Ops.samePads(ints(7, 7), ints(3, 3), ints(2, 2), ints(1, 1))),
        new PoolCase("2-D same, extra cell after", 1, ints(6, 5, 2), ints(2, 3), ints(1, 2),
            Ops.samePads(ints(6, 5), ints(2, 3), ints(1, 2), ints(1, 1))),
        new PoolCase("2-D explicit pads, overlapping", 2, ints(5, 6, 2), ints(3, 2), ints(1, 2),
            ints(2, 0, 1, 1)),
        new PoolCase("3-D valid", 2, ints(4, 4, 4, 2), ints(2, 2, 2), ints(2, 2, 2),
            ints(0, 0, 0, 0, 0, 0)),
        new PoolCase("3-D same", 1, ints(5, 4, 5, 2), ints(3, 2, 3), ints(2, 2, 2),
            Ops.samePads(ints(5, 4, 5), ints(3, 2, 3), ints(2, 2, 2), ints(1, 1, 1))),
        new PoolCase("3-D explicit pads, overlapping", 2, ints(4, 5, 4, 3), ints(2, 3, 2),
            ints(1, 2, 1), ints(1, 0, 0, 2, 1, 1)));
  }

  static Stream<Arguments> pools() {
    return poolCases().flatMap(c -> Stream.of(Arguments.of("max_pool", c),
        Arguments.of("avg_pool", c)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pools")
  void poolingAndItsGradient(String op, PoolCase c) {
    boolean max = op.equals("max_pool");
    Graph g = new Graph();
    Ops o = new Ops(g);
    Node x = o.input("x", DType.FLOAT32, withBatch(-1, c.x));
    Node y = max ? o.maxPool(x, c.window, c.strides, c.pads)
        : o.avgPool(x, c.window, c.strides, c.pads);
    Node w = o.input("w", DType.FLOAT32, y.shape());
    Node loss = o.sum(o.mul(y, w), allAxes(y.rank()), false);
    Node dx = Gradients.of(loss, List.of(x)).get(0);
    assertThat(dx.opName()).isEqualTo(max ? "max_pool_grad" : "avg_pool_grad");

    SplittableRandom r = new SplittableRandom(c.name.hashCode());
    Map<String, RefTensor> feeds = new LinkedHashMap<>();
    int[] xShape = withBatch(c.batch, c.x);
    // Max pooling sees many ties (small integers), so the gradient's tie rule is checked too.
    feeds.put("x", max ? smallIntegers(r, xShape, 3) : random(r, xShape));
    int[] yShape = y.shape().clone();
    yShape[0] = c.batch;
    feeds.put("w", random(r, yShape));
    List<Node> outs = new ArrayList<>(List.of(y, dx));
    List<String> names = new ArrayList<>(List.of(op, dx.opName()));
    if (!max) {
      // avg_pool_grad's gradient is avg_pool again.
      Node v = o.input("v", DType.FLOAT32, x.shape());
      outs.add(Gradients.of(o.sum(o.mul(dx, v), allAxes(x.rank()), false), List.of(w)).get(0));
      names.add("avg_pool (second order)");
      feeds.put("v", random(r, xShape));
    }
    compare(outs, feeds, names);
  }

  @Test
  void maxPoolGradientGoesToTheFirstMaximumOnly() {
    Graph g = new Graph();
    Ops o = new Ops(g);
    Node x = o.input("x", DType.FLOAT32, -1, 2, 2, 2, 1);
    Node y = o.maxPool(x, ints(2, 2, 2), ints(1, 1, 1), ints(0, 0, 0, 0, 0, 0));
    Node dx = Gradients.of(o.sum(y, allAxes(5), false), List.of(x)).get(0);
    float[] all = new float[8];
    Arrays.fill(all, 1f);
    List<float[]> tf = runTf(List.of(dx), Map.of("x", RefTensor.of(all, 1, 2, 2, 2, 1)));
    assertThat(tf.get(0)).containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
  }

  static Stream<Arguments> broadcasts() {
    return Stream.of(
        Arguments.of(ints(-1, 1, 3), ints(-1, 4, 3), ints(2, 1, 3)),
        Arguments.of(ints(3), ints(2, 3), ints(3)),
        Arguments.of(ints(-1, 1), ints(2, -1, 5), ints(3, 1)),
        Arguments.of(ints(2, 1, 4), ints(2, 3, 4), ints(2, 1, 4)));
  }

  @ParameterizedTest(name = "{0} to {1}")
  @MethodSource("broadcasts")
  void broadcastTo(int[] inShape, int[] target, int[] fed) {
    Graph g = new Graph();
    Ops o = new Ops(g);
    Node x = o.input("x", DType.FLOAT32, inShape);
    Node y = o.broadcastTo(x, target);
    Node w = o.input("w", DType.FLOAT32, y.shape());
    Node dx = Gradients.of(o.sum(o.mul(y, w), allAxes(y.rank()), false), List.of(x)).get(0);
    SplittableRandom r = new SplittableRandom(5);
    Map<String, RefTensor> feeds = new LinkedHashMap<>();
    feeds.put("x", random(r, fed));
    RefTensor yRef = Interpreter.run(List.of(y), feeds, Map.of()).get(0);
    feeds.put("w", random(r, yRef.shape()));
    compare(List.of(y, dx), feeds, List.of("broadcast_to", "its gradient"));
  }

  @Test
  void theNewOpsAreSupported() {
    assertThat(Lowering.SUPPORTED).contains("broadcast_to", "conv", "conv_input_grad",
        "conv_kernel_grad", "max_pool", "max_pool_grad", "avg_pool", "avg_pool_grad");
  }

  // ------------------------------------------------------------------ helpers

  private static void compare(List<Node> outs, Map<String, RefTensor> feeds, List<String> names) {
    List<RefTensor> ref = Interpreter.run(outs, feeds, Map.of());
    List<float[]> tf = runTf(outs, feeds);
    for (int i = 0; i < outs.size(); i++) {
      double[] e = ref.get(i).data();
      float[] a = tf.get(i);
      assertThat(a).as(names.get(i) + " size").hasSize(e.length);
      double scale = 0;
      for (double v : e) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int j = 0; j < e.length; j++) {
        assertThat((double) a[j]).as(names.get(i) + "[" + j + "] of "
            + Arrays.toString(ref.get(i).shape())).isCloseTo(e[j],
            org.assertj.core.data.Offset.offset(RTOL * Math.max(scale, 1e-3) + 1e-7));
      }
    }
  }

  /** Lowers the nodes into a fresh TF graph and runs them once with these feeds. */
  static List<float[]> runTf(List<Node> outs, Map<String, RefTensor> feeds) {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph(); Session s = new Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      StateVariables state = new StateVariables(tf.withSubScope("state"),
          new ModelState(List.of(), List.of(), 0));
      Lowering lowering = new Lowering(tf.withSubScope("model"), state, TfJavaProvider.ID);
      List<Operand<?>> fetched = new ArrayList<>();
      for (Node n : outs) {
        fetched.add(lowering.lower(n));
      }
      List<Tensor> fedTensors = new ArrayList<>();
      try {
        Session.Runner runner = s.runner();
        for (Map.Entry<String, RefTensor> f : feeds.entrySet()) {
          Placeholder<?> p = lowering.input(f.getKey());
          if (p != null) {
            TFloat32 t = TFloat32.tensorOf(Lowering.shape(f.getValue().shape()),
                DataBuffers.of(f.getValue().toFloats(), true, false));
            fedTensors.add(t);
            runner.feed(p, t);
          }
        }
        for (Operand<?> op : fetched) {
          runner.fetch(op);
        }
        List<float[]> out = new ArrayList<>();
        try (Result result = runner.run()) {
          for (int i = 0; i < fetched.size(); i++) {
            TFloat32 t = (TFloat32) result.get(i);
            float[] v = new float[(int) t.shape().size()];
            t.asRawTensor().data().asFloats().read(v);
            out.add(v);
          }
        }
        return out;
      } finally {
        fedTensors.forEach(Tensor::close);
      }
    }
  }

  private static int[] ints(int... v) {
    return v;
  }

  private static int[] withBatch(int batch, int[] sample) {
    int[] s = new int[sample.length + 1];
    s[0] = batch;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }

  private static int[] allAxes(int rank) {
    int[] a = new int[rank];
    for (int i = 0; i < rank; i++) {
      a[i] = i;
    }
    return a;
  }

  private static RefTensor random(SplittableRandom r, int[] shape) {
    float[] v = new float[(int) Shape.of(toLongs(shape)).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return RefTensor.of(v, shape);
  }

  private static RefTensor smallIntegers(SplittableRandom r, int[] shape, int bound) {
    float[] v = new float[(int) Shape.of(toLongs(shape)).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextInt(bound) - 1;
    }
    return RefTensor.of(v, shape);
  }

  private static long[] toLongs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
