package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.ops.Graph;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** New activations, losses, metrics and initializers against Keras 3's formulas. */
class FunctionsTest {
  private static final double[] XS = {-4, -2.5, -1, -0.3, 0, 0.4, 1, 2.7, 5};

  private static double[] evaluate(java.util.function.Function<Ops, Node> build) {
    Graph g = new Graph();
    Node n = build.apply(new Ops(g));
    return Interpreter.run(List.of(n), Map.of(), Map.of()).get(0).data();
  }

  private static float[] f(double... v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }

  @Test
  void elementWiseActivationsAgreeWithTheirGraphsAndKnownValues() {
    for (Activation a : Activation.values()) {
      if (!a.elementwise()) {
        continue;
      }
      double[] built = evaluate(o -> a.build(o, o.constant(f(XS), XS.length)));
      for (int i = 0; i < XS.length; i++) {
        assertThat(built[i]).as("%s(%s)", a, XS[i]).isCloseTo(a.apply(XS[i]), within(1e-6));
      }
    }
    assertThat(Activation.SOFTPLUS.apply(0)).isCloseTo(Math.log(2), within(1e-15));
    assertThat(Activation.SOFTSIGN.apply(1)).isEqualTo(0.5);
    assertThat(Activation.SELU.apply(-1)).isCloseTo(1.05070098 * 1.67326324 * (Math.exp(-1) - 1),
        within(1e-12));
    assertThat(Activation.SELU.apply(2)).isCloseTo(2 * 1.05070098, within(1e-12));
    assertThat(Activation.SWISH.apply(1)).isCloseTo(1 / (1 + Math.exp(-1)), within(1e-15));
    assertThat(Activation.HARD_SIGMOID.apply(1)).isCloseTo(4.0 / 6, within(1e-15));
    assertThat(Activation.HARD_SIGMOID.apply(-3.5)).isEqualTo(0);
    assertThat(Activation.HARD_SWISH.apply(2)).isCloseTo(2 * 5.0 / 6, within(1e-15));
    assertThat(Activation.RELU6.apply(7)).isEqualTo(6);
    assertThat(Activation.EXPONENTIAL.apply(1)).isEqualTo(Math.E);
    assertThat(Activation.MISH.apply(1)).isCloseTo(Math.tanh(Math.log1p(Math.E)), within(1e-15));
    assertThat(Activation.of("silu")).isEqualTo(Activation.SWISH);
    assertThat(Activation.of("hard_silu")).isEqualTo(Activation.HARD_SWISH);
    assertThat(Activation.of("log_softmax").elementwise()).isFalse();
    double[] ls = evaluate(o -> Activation.LOG_SOFTMAX.build(o, o.constant(f(0, Math.log(3)),
        1, 2)));
    assertThat(ls[0]).isCloseTo(Math.log(0.25), within(1e-6));
    assertThat(ls[1]).isCloseTo(Math.log(0.75), within(1e-6));
  }

  private static double[] loss(String name, double[] y, double[] out, int cols) {
    Loss l = Loss.of(name);
    return evaluate(o -> l.build(o, o.constant(f(y), y.length / cols, cols),
        o.constant(f(out), out.length / cols, cols)));
  }

  @Test
  void lossesFollowKeras3() {
    double[] y = {0, 1, 1, 0};
    double[] p = {0.2, 0.6, 0.9, 0.3};
    double[] hinge = loss("hinge", y, p, 2);
    assertThat(hinge[0]).isCloseTo((1.2 + 0.4) / 2, within(1e-6));
    assertThat(hinge[1]).isCloseTo((0.1 + 1.3) / 2, within(1e-6));
    double[] ch = loss("categorical_hinge", y, p, 2);
    assertThat(ch[0]).isCloseTo(Math.max(0.2 - 0.6 + 1, 0), within(1e-6));
    assertThat(ch[1]).isCloseTo(Math.max(0.3 - 0.9 + 1, 0), within(1e-6));
    double[] huber = loss("huber", new double[] {0, 0}, new double[] {0.5, 3}, 2);
    assertThat(huber[0]).isCloseTo((0.125 + 2.5) / 2, within(1e-6));
    double[] kld = loss("kld", new double[] {0.5, 0.5}, new double[] {0.25, 0.75}, 2);
    assertThat(kld[0]).isCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(0.5 / 0.75), within(1e-6));
    double[] lc = loss("log_cosh", new double[] {0, 1}, new double[] {0.5, -1}, 2);
    assertThat(lc[0]).isCloseTo((Math.log(Math.cosh(0.5)) + Math.log(Math.cosh(2))) / 2,
        within(1e-6));
    double[] poisson = loss("poisson", new double[] {1, 2}, new double[] {0.5, 3}, 2);
    assertThat(poisson[0]).isCloseTo((0.5 - Math.log(0.5 + 1e-7) + 3 - 2 * Math.log(3 + 1e-7))
        / 2, within(1e-6));
    double[] cos = loss("cosine_similarity", new double[] {1, 0, 3, 4}, new double[] {1, 1, 3,
        4}, 2);
    assertThat(cos[0]).isCloseTo(-1 / Math.sqrt(2), within(1e-6));
    assertThat(cos[1]).isCloseTo(-1, within(1e-6));
    // Labels already in {-1, 1} are left alone by hinge.
    assertThat(loss("hinge", new double[] {-1, 1}, new double[] {0.5, 0.5}, 2)[0])
        .isCloseTo((1.5 + 0.5) / 2, within(1e-6));
  }

  @Test
  void topKAccuracies() {
    int outputs = 6;
    float[] out = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f};
    float[] oneHot = new float[12];
    oneHot[0] = 1;
    oneHot[6] = 1;
    MetricAccumulator acc = new MetricAccumulator(List.of(Metric.TOP_K_CATEGORICAL_ACCURACY,
        Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY), List.of("top", "sparse"), outputs);
    acc.add(0, out, oneHot, 0, 2);
    assertThat(acc.logs("").get("top")).isEqualTo(0.5);
    MetricAccumulator sparse = new MetricAccumulator(List.of(
        Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY), List.of("s"), outputs);
    sparse.add(0, out, new float[] {1, 5}, 0, 2);
    assertThat(sparse.logs("").get("s")).isEqualTo(0.5);
    assertThat(Metric.of("top_k_categorical_accuracy"))
        .isEqualTo(Metric.TOP_K_CATEGORICAL_ACCURACY);
  }

  private static double std(float[] v) {
    double m = 0;
    for (float x : v) {
      m += x;
    }
    m /= v.length;
    double s = 0;
    for (float x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / v.length);
  }

  @Test
  void initializersUseKerasFansForKernels() {
    int[] kernel = {3, 3, 16, 32};
    float[] glorot = Initializer.GLOROT_UNIFORM.initialize(kernel, new SplittableRandom(1));
    double limit = Math.sqrt(6.0 / (144 + 288));
    double max = 0;
    for (float v : glorot) {
      max = Math.max(max, Math.abs(v));
    }
    assertThat(max).isLessThanOrEqualTo(limit).isGreaterThan(0.99 * limit);
    float[] he = Initializer.HE_NORMAL.initialize(kernel, new SplittableRandom(2));
    assertThat(std(he)).isCloseTo(Math.sqrt(2.0 / 144), within(0.03 * Math.sqrt(2.0 / 144)));
    double cut = 2 * Math.sqrt(2.0 / 144) / Initializer.TRUNCATION_CORRECTION;
    for (float v : he) {
      assertThat((double) Math.abs(v)).isLessThanOrEqualTo(cut + 1e-6);
    }
    float[] gn = Initializer.GLOROT_NORMAL.initialize(kernel, new SplittableRandom(3));
    assertThat(std(gn)).isCloseTo(Math.sqrt(2.0 / 432), within(0.03 * Math.sqrt(2.0 / 432)));
    float[] ln = Initializer.LECUN_NORMAL.initialize(new int[] {400, 300},
        new SplittableRandom(4));
    assertThat(std(ln)).isCloseTo(Math.sqrt(1.0 / 400), within(0.03 * Math.sqrt(1.0 / 400)));
    float[] rn = Initializer.RANDOM_NORMAL.initialize(new int[] {100, 100},
        new SplittableRandom(5));
    assertThat(std(rn)).isCloseTo(0.05, within(0.002));
    float[] ru = Initializer.of("random_uniform").initialize(new int[] {1000},
        new SplittableRandom(6));
    for (float v : ru) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo(0.05f);
    }
  }

  @Test
  void orthogonalGivesOrthonormalColumnsOrRows() {
    for (int[] shape : new int[][] {{6, 4}, {4, 6}, {2, 3, 5}}) {
      float[] q = Initializer.ORTHOGONAL.initialize(shape, new SplittableRandom(9));
      int cols = shape[shape.length - 1];
      int rows = q.length / cols;
      boolean tall = rows >= cols;
      int m = Math.min(rows, cols);
      for (int a = 0; a < m; a++) {
        for (int b = 0; b < m; b++) {
          double dot = 0;
          for (int k = 0; k < Math.max(rows, cols); k++) {
            dot += tall ? q[k * cols + a] * q[k * cols + b] : q[a * cols + k] * q[b * cols + k];
          }
          assertThat(dot).isCloseTo(a == b ? 1 : 0, within(1e-5));
        }
      }
    }
  }
}
