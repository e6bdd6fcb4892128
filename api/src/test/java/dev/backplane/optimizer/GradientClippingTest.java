package dev.backplane.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.ops.DType;
import dev.backplane.ops.Graph;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.ops.RefTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Keras's clipnorm, clipvalue and global_clipnorm (base_optimizer.py's _clip_gradients). */
class GradientClippingTest {
  private static final double[] G1 = {3, -4, 0};     // norm 5
  private static final double[] G2 = {1, 2, -2, 4};  // norm 5
  private static final Offset<Double> CLOSE = Offset.offset(1e-7);

  /** clipGradients over {@code grads}, evaluated. */
  private static List<double[]> clipAll(Optimizer o, double[]... grads) {
    Graph g = new Graph();
    Ops ops = new Ops(g);
    List<Node> in = new ArrayList<>();
    Map<String, RefTensor> feeds = new java.util.HashMap<>();
    for (int i = 0; i < grads.length; i++) {
      in.add(ops.input("g" + i, DType.FLOAT32, grads[i].length));
      feeds.put("g" + i, new RefTensor(new int[] {grads[i].length}, grads[i].clone()));
    }
    List<Node> out = o.clipGradients(ops, in);
    assertThat(out).hasSize(grads.length);
    return Interpreter.run(out, feeds, Map.of()).stream().map(RefTensor::data).toList();
  }

  /** SGD's step with learning rate 1 is minus the clipped gradient. */
  private static double[] clippedBySgd(Optimizer o, double[] g) {
    double[] w = new Stepper(o.withLearningRate(1), new double[g.length]).step(g).get(0);
    double[] out = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = -w[i];
    }
    return out;
  }

  @Test
  void clipnormScalesEachGradientToItsOwnNorm() {
    SGD sgd = new SGD(1).withClipping(GradientClipping.clipnorm(2.5));
    assertThat(clippedBySgd(sgd, G1)).containsExactly(new double[] {1.5, -2, 0}, CLOSE);
    // under the bound: unchanged; a zero gradient stays zero (no NaN)
    assertThat(clippedBySgd(new SGD(1).withClipnorm(6), G1)).containsExactly(G1, CLOSE);
    assertThat(clippedBySgd(sgd, new double[3])).containsExactly(new double[3], CLOSE);
    // per parameter: two parameters of norm 5 are each clipped to 2.5
    Stepper two = new Stepper(new SGD(1).withClipnorm(2.5), new double[3], new double[4]);
    List<double[]> w = two.step(G1, G2);
    assertThat(w.get(0)).containsExactly(new double[] {-1.5, 2, 0}, CLOSE);
    assertThat(w.get(1)).containsExactly(new double[] {-0.5, -1, 1, -2}, CLOSE);
  }

  @Test
  void clipvalueClipsEachElement() {
    assertThat(clippedBySgd(new SGD(1).withClipvalue(2), new double[] {3, -4, 0.5, -1.5}))
        .containsExactly(new double[] {2, -2, 0.5, -1.5}, CLOSE);
  }

  @Test
  void perParameterClippingLeavesClipGradientsAlone() {
    for (Optimizer o : List.of(new Adam().withClipnorm(1), new Adam().withClipvalue(1),
        new Adam())) {
      List<double[]> out = clipAll(o, G1, G2);
      assertThat(out.get(0)).containsExactly(G1);
      assertThat(out.get(1)).containsExactly(G2);
    }
  }

  @Test
  void globalClipnormScalesAllGradientsByTheirJointNorm() {
    // joint norm sqrt(25 + 25) = 5 sqrt 2; bound 1: scale 1 / (5 sqrt 2)
    double scale = 1 / (5 * Math.sqrt(2));
    List<double[]> out = clipAll(new Lion().withGlobalClipnorm(1), G1, G2);
    for (int i = 0; i < G1.length; i++) {
      assertThat(out.get(0)[i]).isCloseTo(G1[i] * scale, CLOSE);
    }
    for (int i = 0; i < G2.length; i++) {
      assertThat(out.get(1)[i]).isCloseTo(G2[i] * scale, CLOSE);
    }
    // under the bound: unchanged
    List<double[]> same = clipAll(new Lion().withGlobalClipnorm(10), G1, G2);
    assertThat(same.get(0)).containsExactly(G1, CLOSE);
    assertThat(same.get(1)).containsExactly(G2, CLOSE);
    // all zero: unchanged (no NaN)
    assertThat(clipAll(new Lion().withGlobalClipnorm(1), new double[3]).get(0))
        .containsExactly(new double[3], CLOSE);
    // a non-finite norm makes every gradient NaN, as in Keras
    assertThat(clipAll(new Lion().withGlobalClipnorm(1), new double[] {1, Double.NaN}, G2)
        .get(1)).containsOnly(Double.NaN);
  }

  @Test
  void globalClipnormThroughUpdate() {
    // SGD with rate 1 after global clipping: each weight moves by minus its clipped gradient
    Stepper s = new Stepper(new SGD(1).withGlobalClipnorm(1), new double[3], new double[4]);
    List<double[]> w = s.step(G1, G2);
    double scale = 1 / (5 * Math.sqrt(2));
    assertThat(w.get(0)[1]).isCloseTo(4 * scale, CLOSE);
    assertThat(w.get(1)[3]).isCloseTo(-4 * scale, CLOSE);
  }

  @Test
  void updateRefusesAGradientThatSkippedGlobalClipping() {
    Graph g = new Graph();
    Ops ops = new Ops(g);
    Node w = ops.variable("w", 3);
    Node grad = ops.input("g", DType.FLOAT32, 3);
    Optimizer o = new Adam().withGlobalClipnorm(1);
    List<Node> slots = List.of(ops.variable("w/m", 3), ops.variable("w/v", 3));
    Node t = ops.scalar(1);
    assertThatThrownBy(() -> o.update(ops, w, grad, slots, t))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("clipGradients");
    Node clipped = o.clipGradients(ops, List.of(grad)).get(0);
    assertThat(o.update(ops, w, clipped, slots, t).slots()).hasSize(2);
    assertThat(g.scope()).as("the scope is restored").isEmpty();
  }

  @Test
  void onlyOneClippingAtATime() {
    assertThatThrownBy(() -> new GradientClipping(1, 1, 0))
        .hasMessageContaining("Only one of clipnorm, clipvalue and global_clipnorm");
    assertThatThrownBy(() -> GradientClipping.clipnorm(0)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new GradientClipping(-1, 0, 0)).hasMessageContaining(">= 0");
    assertThat(new GradientClipping(0, 0, 0)).isEqualTo(GradientClipping.NONE);
    assertThat(GradientClipping.NONE.isSet()).isFalse();
    // withClipxxx replaces the clipping, as a fresh Keras constructor would
    assertThat(new SGD().withClipnorm(1).withClipvalue(2).clipping())
        .isEqualTo(GradientClipping.clipvalue(2));
  }
}
