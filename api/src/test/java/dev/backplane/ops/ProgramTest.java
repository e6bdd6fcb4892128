package dev.backplane.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Device;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceExecutable;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The api-built programs, run on the interpreter, against the hand-written test kernels. */
class ProgramTest {
  private static final Device CPU = Device.parse("reference:cpu:0");

  private static Tensor random(SplittableRandom r, int rows, int cols, boolean binary) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = binary ? (r.nextBoolean() ? 1 : 0) : (float) r.nextDouble(-1, 1);
    }
    return Tensor.of(v, rows, cols);
  }

  @Test
  void trainingStepsMatchTheHandWrittenKernels() {
    List<Layer> layers = List.of(new Dense(8, "relu").withName("dense"),
        new Dense(1, "sigmoid").withName("dense_1"));
    for (var optimizer : List.of(new Adam(0.01), new SGD(0.1))) {
      ModelSpec spec = ModelSpec.create("m", new int[] {5}, layers, Loss.BINARY_CROSSENTROPY,
          optimizer, 42);
      SplittableRandom r = new SplittableRandom(7);
      Tensor x = random(r, 16, 5, false);
      Tensor y = random(r, 16, 1, true);
      try (var graph = new InterpreterExecutable(spec, CPU);
          var hand = new ReferenceExecutable(spec, CPU, "test")) {
        float[] out1 = new float[16];
        float[] out2 = new float[16];
        for (int step = 0; step < 5; step++) {
          double a = graph.trainStep(x, y, out1);
          double b = hand.trainStep(x, y, out2);
          assertThat(a).as("%s step %d", optimizer, step).isCloseTo(b,
              org.assertj.core.data.Offset.offset(1e-5 * Math.abs(b)));
        }
        float[] w1 = graph.snapshot().parameter("dense/kernel").values();
        float[] w2 = hand.snapshot().parameter("dense/kernel").values();
        for (int i = 0; i < w1.length; i++) {
          assertThat(w1[i]).isCloseTo(w2[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(graph.snapshot().iterations()).isEqualTo(5);
      }
    }
  }

  @Test
  void dropoutIsActiveOnlyInTraining() {
    List<Layer> layers = List.of(new Dense(4).withName("dense"), new Dropout(0.5).withName("d"));
    ModelSpec spec = ModelSpec.create("m", new int[] {3}, layers, Loss.MEAN_SQUARED_ERROR,
        new SGD(), 1);
    var programs = spec.programs();
    assertThat(programs.train().opNames()).contains("random_uniform");
    assertThat(programs.predict().opNames()).doesNotContain("random_uniform");
    assertThat(programs.evaluate().opNames()).doesNotContain("random_uniform", "variable/m");
    assertThat(programs.train().updates()).containsOnlyKeys("dense/kernel", "dense/bias");
    assertThat(programs.predict().kind()).isEqualTo(Program.Kind.PREDICT);
  }

  @Test
  void opShapeErrorsNameTheOpTheLayerAndTheShapes() {
    Graph g = new Graph();
    Ops o = new Ops(g);
    g.scope("my_layer");
    Node a = o.variable("a", 3, 4);
    Node b = o.variable("b", 5, 2);
    assertThatThrownBy(() -> o.matmul(a, b)).isInstanceOf(OpException.class)
        .hasMessage("Op 'matmul' in layer 'my_layer': inner dimensions differ: a (3, 4) has 4,"
            + " b (5, 2) has 5");
    Node v = o.variable("v", 7);
    assertThatThrownBy(() -> o.matmul(v, b)).hasMessageContaining("rank-2 inputs")
        .hasMessageContaining("(7,) (rank 1)");
    int before = g.size();
    assertThatThrownBy(() -> o.add(a, b)).hasMessageContaining("(3, 4) and (5, 2) do not"
        + " broadcast");
    assertThat(g.size()).as("a failed op adds no node").isEqualTo(before);
  }

  @Test
  void nodesOfAnotherGraphAreRefused() {
    Ops first = new Ops(new Graph());
    Ops second = new Ops(new Graph());
    Node a = first.variable("a", 2);
    assertThatThrownBy(() -> second.neg(a)).hasMessageContaining("belongs to another graph");
  }

  @Test
  void randomUniformIsAPureFunctionOfSeedIterationAndSalt() {
    Graph g = new Graph();
    Ops o = new Ops(g);
    Node like = o.variable("like", 1000);
    Node it = o.input("iteration", DType.INT32);
    Node u = o.randomUniform(like, it, 9, 2);
    var feeds = java.util.Map.of("iteration", RefTensor.scalar(3));
    var vars = java.util.Map.of("like", new RefTensor(new int[] {1000}, new double[1000]));
    double[] first = Interpreter.run(List.of(u), feeds, vars).get(0).data();
    double[] again = Interpreter.run(List.of(u), feeds, vars).get(0).data();
    assertThat(first).containsExactly(again);
    double mean = 0;
    for (int i = 0; i < first.length; i++) {
      assertThat(first[i]).isBetween(0.0, 1.0).isEqualTo(Random.uniform(Random.key(9, 3, 2), i));
      assertThat((double) (float) first[i]).isEqualTo(first[i]);
      mean += first[i] / first.length;
    }
    assertThat(mean).isBetween(0.45, 0.55);
    double[] other = Interpreter.run(List.of(u), java.util.Map.of("iteration",
        RefTensor.scalar(4)), vars).get(0).data();
    assertThat(other).isNotEqualTo(first);
  }
}
