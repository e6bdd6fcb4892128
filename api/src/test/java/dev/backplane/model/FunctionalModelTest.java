package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.ops.Node;
import dev.backplane.ops.OpException;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The functional API on the reference interpreter: DAGs, merges, shared layers, errors. */
class FunctionalModelTest {
  private static Backplane backplane() {
    return TestBackplanes.of(TestBackplanes.config(), new ReferenceFakeProvider());
  }

  private static Tensor uniform(SplittableRandom r, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return Tensor.wrap(v, rows, cols);
  }

  @Test
  void aResidualModelLearnsAndPrintsWhatItIsConnectedTo() {
    KerasTensor in = Input.of(4);
    KerasTensor first = new Dense(8, "relu").apply(in);
    KerasTensor second = new Dense(8, "relu").apply(first);
    KerasTensor sum = Merge.add().apply(second, first);
    Model model = new Model(in, new Dense(2, "softmax").apply(sum));
    assertThat(model.summary()).contains("add (Add)", "dense[0][0]", "dense_1[0][0], dense[0][0]",
        "input_layer (InputLayer)", "Non-trainable params: 0");
    assertThat(model.countParams()).isEqualTo(4 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2);
    SplittableRandom r = new SplittableRandom(3);
    Tensor x = uniform(r, 64, 4);
    float[] labels = new float[64];
    for (int i = 0; i < 64; i++) {
      labels[i] = x.get(i, 0) + x.get(i, 1) > 0 ? 1 : 0;
    }
    Tensor y = Tensor.wrap(labels, 64, 1);
    try (Backplane bp = backplane()) {
      model.compile(CompileOptions.builder().optimizer(new dev.backplane.optimizer.Adam(0.01))
          .loss("sparse_categorical_crossentropy").metrics("accuracy").backplane(bp).seed(1L).build());
      History h = model.fit(List.of(x), y, FitOptions.builder().epochs(30).batchSize(16)
          .verbose(0).build());
      List<Double> losses = h.history().get("loss");
      assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) / 2);
      assertThat(model.evaluate(List.of(x), y).get("accuracy")).isGreaterThan(0.9);
      model.close();
    }
  }

  @Test
  void twoInputsSharedLayersAndConcatenate() {
    KerasTensor a = Input.of(3);
    KerasTensor b = Input.of(3);
    Dense shared = new Dense(2);
    KerasTensor joined = new Concatenate().apply(shared.apply(a), shared.apply(b));
    Model model = new Model("two", List.of(a, b), new Dense(1).apply(joined));
    assertThat(model.layers()).hasSize(3);
    assertThat(model.countParams()).isEqualTo(3 * 2 + 2 + 4 + 1);
    SplittableRandom r = new SplittableRandom(5);
    Tensor xa = uniform(r, 8, 3);
    Tensor xb = uniform(r, 8, 3);
    try (Backplane bp = backplane()) {
      model.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(bp).build());
      Tensor out = model.predict(List.of(xa, xb));
      assertThat(out.shape()).containsExactly(8, 1);
      // Swapping the inputs swaps the halves fed to the last layer: a different answer.
      Tensor swapped = model.predict(List.of(xb, xa));
      assertThat(swapped.get(0, 0)).isNotEqualTo(out.get(0, 0));
      assertThatThrownBy(() -> model.predict(List.of(xa))).hasMessageContaining(
          "has 2 input(s)").hasMessageContaining("got 1 tensor(s)");
      model.close();
    }
  }

  @Test
  void anOutputFromAnUnlistedInputIsADisconnectedGraph() {
    KerasTensor a = Input.of(3);
    KerasTensor b = Input.named("other", 3);
    KerasTensor out = Merge.add().apply(new Dense(2).apply(a), new Dense(2).apply(b));
    assertThatThrownBy(() -> new Model("m", List.of(a), out))
        .hasMessageContaining("Graph disconnected").hasMessageContaining("other");
  }

  @Test
  void mergeShapesAreChecked() {
    KerasTensor a = Input.of(3);
    assertThatThrownBy(() -> Merge.add().apply(new Dense(2).apply(a), new Dense(3).apply(a)))
        .hasMessageContaining("(Add) needs inputs of one shape")
        .hasMessageContaining("(None, 2)").hasMessageContaining("(None, 3)");
  }

  /** A custom layer whose call() does not fit its input: the op and layer are named. */
  record BadLayer(String name) implements Layer {
    @Override
    public String kerasClass() {
      return "Bad";
    }

    @Override
    public Layer withName(String n) {
      return new BadLayer(n);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
      return new int[] {5};
    }

    @Override
    public List<ParameterSpec> parameters(int[] inputShape) {
      return List.of(new ParameterSpec("w", new int[] {7, 5}, Initializer.ONES));
    }

    @Override
    public Node call(LayerContext ctx, Node x) {
      return ctx.ops().matmul(x, ctx.weight("w"));
    }
  }

  @Test
  void aCustomLayerShapeErrorNamesTheOpTheLayerAndTheShapes() {
    Sequential model = new Sequential(new int[] {3}, new BadLayer("bad"));
    try (Backplane bp = backplane()) {
      assertThatThrownBy(() -> model.compile(CompileOptions.builder().optimizer("sgd")
          .loss("mse").backplane(bp).build())).isInstanceOf(OpException.class)
          .hasMessage("Op 'matmul' in layer 'bad': inner dimensions differ: a (None, 3) has 3,"
              + " b (7, 5) has 7");
      assertThat(model.isCompiled()).isFalse();
    }
  }

  @Test
  void aCustomLossTrainsWithItsGradient() {
    Loss halfSquare = Loss.custom("half_square", (ops, y, out) ->
        ops.mean(ops.mul(ops.scalar(0.5), ops.square(ops.sub(out, y))), -1, false));
    Sequential model = new Sequential(new int[] {2}, new Dense(1));
    SplittableRandom r = new SplittableRandom(9);
    Tensor x = uniform(r, 32, 2);
    float[] t = new float[32];
    for (int i = 0; i < 32; i++) {
      t[i] = 2 * x.get(i, 0) - x.get(i, 1);
    }
    try (Backplane bp = backplane()) {
      model.compile(CompileOptions.builder().optimizer(new dev.backplane.optimizer.SGD(0.2))
          .loss(halfSquare).backplane(bp)
          .build());
      History h = model.fit(x, Tensor.wrap(t, 32, 1), FitOptions.builder().epochs(40)
          .batchSize(8).verbose(0).build());
      List<Double> losses = h.history().get("loss");
      assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) / 10);
      model.close();
    }
  }
}
