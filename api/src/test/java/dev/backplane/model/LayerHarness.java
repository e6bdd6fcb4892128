package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.ops.DType;
import dev.backplane.ops.Gradients;
import dev.backplane.ops.Graph;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.ops.RefTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Builds one layer's graph for a fixed batch and runs it on the float64 interpreter. */
final class LayerHarness {
  final Layer layer;
  final Graph graph = new Graph();
  final Ops ops = new Ops(graph);
  final Node x;
  final Node out;
  final LayerContext ctx;
  final List<ParameterSpec> specs;
  final Map<String, Node> weights = new LinkedHashMap<>();

  LayerHarness(Layer layer, int batch, int[] inputShape, boolean training) {
    this.layer = layer.name() == null ? layer.withName("l") : layer;
    int[] shape = new int[inputShape.length + 1];
    shape[0] = batch;
    System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
    x = ops.input("x", DType.FLOAT32, shape);
    specs = this.layer.parameters(inputShape);
    for (ParameterSpec p : specs) {
      weights.put(p.name(), ops.variable("l/" + p.name(), p.shape()));
    }
    ctx = LayerContext.standalone(ops, training, 1L);
    ctx.enter(this.layer, 0, weights);
    out = this.layer.call(ctx, x);
  }

  /** Random values for every weight (positive for variances). */
  Map<String, double[]> randomWeights(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, double[]> w = new LinkedHashMap<>();
    for (ParameterSpec p : specs) {
      double[] v = new double[p.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = p.name().contains("variance") ? r.nextDouble(0.5, 2) : r.nextDouble(-1, 1);
      }
      w.put(p.name(), v);
    }
    return w;
  }

  static double[] random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextDouble(-1, 1);
    }
    return v;
  }

  List<RefTensor> run(List<Node> roots, double[] input, Map<String, double[]> w) {
    Map<String, RefTensor> feeds = new HashMap<>();
    feeds.put("x", new RefTensor(x.shape(), input.clone()));
    feeds.put("iteration", RefTensor.scalar(0));
    Map<String, RefTensor> vars = new HashMap<>();
    for (ParameterSpec p : specs) {
      vars.put("l/" + p.name(), new RefTensor(p.shape(), w.get(p.name()).clone()));
    }
    return Interpreter.run(roots, feeds, vars);
  }

  double[] forward(double[] input, Map<String, double[]> w) {
    return run(List.of(out), input, w).get(0).data();
  }

  /**
   * Compares the gradients of {@code sum(out · R)} for the input and every trainable weight with
   * central differences, all in float64.
   */
  void checkGradients(long seed, double tol) {
    int n = 1;
    for (int d : out.shape()) {
      n *= d;
    }
    double[] rv = random(seed + 7, n);
    float[] rf = new float[n];
    for (int i = 0; i < n; i++) {
      rf[i] = (float) rv[i];
    }
    Node loss = ops.sum(ops.mul(out, ops.constant(rf, out.shape())));
    List<Node> wrt = new ArrayList<>();
    List<String> names = new ArrayList<>();
    wrt.add(x);
    names.add("x");
    for (ParameterSpec p : specs) {
      if (p.trainable()) {
        wrt.add(weights.get(p.name()));
        names.add(p.name());
      }
    }
    List<Node> grads = Gradients.of(loss, wrt);
    int xSize = 1;
    for (int d : x.shape()) {
      xSize *= d;
    }
    double[] input = random(seed, xSize);
    Map<String, double[]> w = randomWeights(seed + 1);
    List<Node> roots = new ArrayList<>(grads);
    List<RefTensor> analytic = run(roots, input, w);
    double h = 1e-6;
    double maxAbs = 0;
    for (int k = 0; k < wrt.size(); k++) {
      String name = names.get(k);
      double[] target = k == 0 ? input : w.get(name);
      double[] g = analytic.get(k).data();
      assertThat(g.length).as(name).isEqualTo(target.length);
      for (int i = 0; i < target.length; i++) {
        double saved = target[i];
        target[i] = saved + h;
        double plus = run(List.of(loss), input, w).get(0).data()[0];
        target[i] = saved - h;
        double minus = run(List.of(loss), input, w).get(0).data()[0];
        target[i] = saved;
        double numeric = (plus - minus) / (2 * h);
        maxAbs = Math.max(maxAbs, Math.abs(g[i]));
        assertThat(g[i]).as("d loss / d %s[%d] of %s", name, i, layer.kerasClass())
            .isCloseTo(numeric, org.assertj.core.api.Assertions.within(
                tol * (1 + Math.abs(numeric))));
      }
    }
    assertThat(maxAbs).as("a non-vacuous gradient").isGreaterThan(1e-3);
  }
}
