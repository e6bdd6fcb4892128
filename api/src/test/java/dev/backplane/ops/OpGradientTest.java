package dev.backplane.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every differentiable op's gradient rule against central finite differences, both on the
 * float64 reference interpreter: {@code sum(op(inputs) · w)} for a fixed random {@code w}.
 */
class OpGradientTest {
  private static final double H = 1e-6;

  /** An op under test: how to build it from variables of these shapes. */
  record Case(String name, List<int[]> shapes, BiFunction<Ops, List<Node>, Node> build,
      boolean positive) {}

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    int[] s = {3, 4};
    for (String op : List.of("neg", "square", "exp", "expm1", "tanh", "sigmoid", "erf", "abs",
        "relu")) {
      c.add(new Case(op, List.of(s), (o, in) -> unary(o, op, in.get(0)), false));
    }
    for (String op : List.of("sqrt", "rsqrt", "log", "log1p")) {
      c.add(new Case(op, List.of(s), (o, in) -> unary(o, op, in.get(0)), true));
    }
    int[] row = {4};
    c.add(new Case("add", List.of(s, row), (o, in) -> o.add(in.get(0), in.get(1)), false));
    c.add(new Case("sub", List.of(s, row), (o, in) -> o.sub(in.get(0), in.get(1)), false));
    c.add(new Case("mul", List.of(s, row), (o, in) -> o.mul(in.get(0), in.get(1)), false));
    c.add(new Case("div", List.of(s, row), (o, in) -> o.div(in.get(0), in.get(1)), true));
    c.add(new Case("maximum", List.of(s, s), (o, in) -> o.maximum(in.get(0), in.get(1)), false));
    c.add(new Case("minimum", List.of(s, s), (o, in) -> o.minimum(in.get(0), in.get(1)), false));
    c.add(new Case("pow", List.of(s, s), (o, in) -> o.pow(in.get(0), in.get(1)), true));
    c.add(new Case("where", List.of(s, s, s), (o, in) -> o.where(
        o.greater(in.get(0), o.scalar(0)), in.get(1), in.get(2)), false));
    c.add(new Case("clip", List.of(s), (o, in) -> o.clip(in.get(0), -0.5, 0.5), false));
    c.add(new Case("softmax", List.of(s), (o, in) -> o.softmax(in.get(0), -1), false));
    c.add(new Case("log_softmax", List.of(s), (o, in) -> o.logSoftmax(in.get(0), 0), false));
    c.add(new Case("sum", List.of(s), (o, in) -> o.sum(in.get(0), 0, false), false));
    c.add(new Case("mean", List.of(s), (o, in) -> o.mean(in.get(0), 1, true), false));
    c.add(new Case("max", List.of(s), (o, in) -> o.max(in.get(0), new int[] {1}, false), false));
    c.add(new Case("matmul", List.of(new int[] {3, 5}, new int[] {5, 2}),
        (o, in) -> o.matmul(in.get(0), in.get(1)), false));
    c.add(new Case("matmul/ta", List.of(new int[] {5, 3}, new int[] {5, 2}),
        (o, in) -> o.matmul(in.get(0), in.get(1), true, false), false));
    c.add(new Case("matmul/tb", List.of(new int[] {3, 5}, new int[] {2, 5}),
        (o, in) -> o.matmul(in.get(0), in.get(1), false, true), false));
    c.add(new Case("matmul/tab", List.of(new int[] {5, 3}, new int[] {2, 5}),
        (o, in) -> o.matmul(in.get(0), in.get(1), true, true), false));
    c.add(new Case("reshape", List.of(s), (o, in) -> o.reshape(in.get(0), 2, 6), false));
    c.add(new Case("transpose", List.of(new int[] {2, 3, 4}),
        (o, in) -> o.transpose(in.get(0), 2, 0, 1), false));
    c.add(new Case("broadcast_like", List.of(row, s),
        (o, in) -> o.broadcastLike(in.get(0), in.get(1)), false));
    c.add(new Case("slice", List.of(s), (o, in) -> o.slice(in.get(0), new int[] {1, 1},
        new int[] {2, -1}), false));
    c.add(new Case("pad", List.of(s), (o, in) -> o.pad(in.get(0), new int[] {1, 0, 2, 1}, 0.5),
        false));
    c.add(new Case("concat", List.of(s, new int[] {3, 2}),
        (o, in) -> o.concat(List.of(in.get(0), in.get(1)), 1), false));
    c.add(new Case("gather", List.of(new int[] {5, 3}), (o, in) -> o.gather(in.get(0),
        o.cast(o.constant(new float[] {4, 0, 4, 2}, 4), DType.INT32)), false));
    c.add(new Case("segment_sum", List.of(new int[] {4, 3}), (o, in) -> o.segmentSum(in.get(0),
        o.cast(o.constant(new float[] {1, 0, 1, 2}, 4), DType.INT32), 3), false));
    c.add(new Case("broadcast_to", List.of(new int[] {3, 1}), (o, in) -> o.broadcastTo(in.get(0),
        2, 3, 4), false));
    int[] img = {2, 5, 4, 3};
    int[] same = Ops.samePads(new int[] {5, 4}, new int[] {3, 2}, new int[] {2, 1},
        new int[] {1, 1});
    c.add(new Case("conv", List.of(img, new int[] {3, 2, 3, 4}), (o, in) -> o.conv(in.get(0),
        in.get(1), new int[] {2, 1}, same, new int[] {1, 1}, 1), false));
    c.add(new Case("conv/dilated-grouped", List.of(new int[] {1, 7, 4}, new int[] {2, 2, 6}),
        (o, in) -> o.conv(in.get(0), in.get(1), new int[] {1}, new int[] {1, 0}, new int[] {2},
            2), false));
    Attrs geo = Attrs.of("strides", new int[] {2, 1}, "pads", same, "dilations",
        new int[] {1, 1}, "groups", 1);
    c.add(new Case("conv_input_grad", List.of(new int[] {2, 3, 4, 4}, new int[] {3, 2, 3, 4}),
        (o, in) -> o.convInputGrad(in.get(0), in.get(1), o.variable("like", img), geo), false));
    c.add(new Case("conv_kernel_grad", List.of(img, new int[] {2, 3, 4, 4}),
        (o, in) -> o.convKernelGrad(in.get(0), in.get(1), new int[] {3, 2, 3, 4}, geo), false));
    c.add(new Case("max_pool", List.of(img), (o, in) -> o.maxPool(in.get(0), new int[] {2, 2},
        new int[] {2, 2}, Ops.samePads(new int[] {5, 4}, new int[] {2, 2}, new int[] {2, 2},
            new int[] {1, 1})), false));
    c.add(new Case("avg_pool", List.of(img), (o, in) -> o.avgPool(in.get(0), new int[] {3, 2},
        new int[] {1, 2}, new int[] {1, 1, 0, 0}), false));
    c.add(new Case("avg_pool_grad", List.of(new int[] {2, 5, 2, 3}), (o, in) -> o.avgPoolGrad(
        in.get(0), o.variable("like", img), Attrs.of("window", new int[] {3, 2}, "strides",
            new int[] {1, 2}, "pads", new int[] {1, 1, 0, 0})), false));
    c.add(new Case("cast", List.of(s), (o, in) -> o.mul(in.get(0),
        o.cast(o.cast(in.get(0), DType.INT32), DType.FLOAT32)), false));
    return c;
  }

  private static Node unary(Ops o, String op, Node x) {
    return o.graph().add(OpSet.get(op), List.of(x), Attrs.NONE);
  }

  @TestFactory
  Stream<DynamicTest> gradientRulesMatchFiniteDifferences() {
    return cases().stream().map(c -> DynamicTest.dynamicTest("op/" + c.name() + "/gradient",
        () -> check(c)));
  }

  @TestFactory
  Stream<DynamicTest> everyDifferentiableOpIsCovered() {
    List<String> covered = cases().stream().map(c -> c.name().split("/")[0]).toList();
    return OpSet.all().stream().filter(op -> op.differentiable() && !op.doc().family()
        .equals("source")).map(op -> DynamicTest.dynamicTest(op.name(),
            () -> assertThat(covered).contains(op.name())));
  }

  private static void check(Case c) {
    Graph g = new Graph();
    Ops o = new Ops(g);
    SplittableRandom random = new SplittableRandom(c.name().hashCode());
    List<Node> vars = new ArrayList<>();
    Map<String, RefTensor> values = new HashMap<>();
    for (int i = 0; i < c.shapes().size(); i++) {
      int[] shape = c.shapes().get(i);
      vars.add(o.variable("v" + i, shape));
      double[] d = new double[(int) Dims.size(shape)];
      for (int k = 0; k < d.length; k++) {
        double v = random.nextDouble(-1, 1);
        // Keep clear of kinks (relu, abs, clip, max ties) so differences are smooth.
        v = Math.copySign(0.1 + Math.abs(v), v);
        d[k] = c.positive() ? Math.abs(v) + 0.5 : v;
      }
      values.put("v" + i, new RefTensor(shape, d));
    }
    Node y = c.build().apply(o, vars);
    for (Node n : g.nodesOf("variable")) {
      values.putIfAbsent(n.attrs().s("name"), new RefTensor(n.shape(),
          new double[(int) Dims.size(n.shape())]));
    }
    double[] w = new double[(int) Dims.size(y.shape())];
    for (int k = 0; k < w.length; k++) {
      w[k] = random.nextDouble(-1, 1);
    }
    Node loss = o.sum(o.mul(y, o.constant(toFloats(w), y.shape())));
    List<Node> grads = Gradients.of(loss, vars);
    List<RefTensor> analytic = Interpreter.run(grads, Map.of(), values);
    for (int i = 0; i < vars.size(); i++) {
      RefTensor base = values.get("v" + i);
      for (int k = 0; k < base.size(); k++) {
        double numeric = (eval(loss, values, i, k, H) - eval(loss, values, i, k, -H)) / (2 * H);
        double got = analytic.get(i).data()[k];
        assertThat(got).as("%s d/dv%d[%d]", c.name(), i, k)
            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(numeric))));
      }
    }
  }

  private static double eval(Node loss, Map<String, RefTensor> values, int var, int k, double h) {
    Map<String, RefTensor> shifted = new HashMap<>(values);
    RefTensor t = values.get("v" + var);
    double[] d = t.data().clone();
    d[k] += h;
    shifted.put("v" + var, new RefTensor(t.shape(), d));
    return Interpreter.run(List.of(loss), Map.of(), shifted).get(0).data()[0];
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
