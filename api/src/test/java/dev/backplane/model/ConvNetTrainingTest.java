package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Models with the new layers, compiled and fitted on the reference interpreter. */
class ConvNetTrainingTest {
  private static Backplane backplane() {
    return TestBackplanes.of(TestBackplanes.config(), new ReferenceFakeProvider());
  }

  private static CompileOptions options(Backplane bp, String loss, Object optimizer) {
    CompileOptions.Builder b = CompileOptions.builder().loss(loss).backplane(bp).seed(3L);
    if (optimizer instanceof String s) {
      b.optimizer(s);
    } else {
      b.optimizer((dev.backplane.optimizer.Optimizer) optimizer);
    }
    return b.metrics("accuracy").build();
  }

  @Test
  void aSmallConvNetLearnsWhichHalfIsBrighter() {
    SplittableRandom r = new SplittableRandom(7);
    int n = 96;
    float[] images = new float[n * 36];
    float[] labels = new float[n];
    for (int s = 0; s < n; s++) {
      double top = 0;
      double bottom = 0;
      boolean bright = r.nextBoolean();
      for (int i = 0; i < 36; i++) {
        float v = (float) r.nextDouble();
        if (bright == (i < 18)) {
          v += 0.5f;
        }
        images[s * 36 + i] = v;
        if (i < 18) {
          top += v;
        } else {
          bottom += v;
        }
      }
      labels[s] = top > bottom ? 1 : 0;
    }
    Tensor x = Tensor.wrap(images, n, 6, 6, 1);
    Tensor y = Tensor.wrap(labels, n, 1);
    Sequential m = new Sequential(new int[] {6, 6, 1}, new Conv2D(4, 3, "relu"),
        new MaxPooling2D(), new Flatten(), new Dense(2, "softmax"));
    assertThat(m.outputShape()).containsExactly(2);
    try (Backplane bp = backplane()) {
      m.compile(options(bp, "sparse_categorical_crossentropy",
          new dev.backplane.optimizer.Adam(0.02)));
      History h = m.fit(x, y, FitOptions.builder().epochs(25).batchSize(16).verbose(0).build());
      List<Double> losses = h.history().get("loss");
      assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) / 2);
      assertThat(m.evaluate(x, y).get("accuracy")).isGreaterThan(0.9);
      m.close();
    }
  }

  @Test
  void batchNormUpdatesItsMovingStatisticsAfterOneStep() {
    Tensor x = Tensor.of(new float[][] {{1, 10}, {3, 30}, {2, 20}, {6, 0}});
    Tensor y = Tensor.of(new float[][] {{0, 0}, {0, 0}, {0, 0}, {0, 0}});
    Sequential m = new Sequential(new int[] {2}, new BatchNormalization());
    try (Backplane bp = backplane()) {
      m.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(bp).build());
      m.fit(x, y, FitOptions.builder().epochs(1).batchSize(4).verbose(0).build());
      ModelState state = m.getState();
      NamedArray mean = state.variable("batchnormalization/moving_mean");
      NamedArray variance = state.variable("batchnormalization/moving_variance");
      // Batch mean (3, 15), biased variance (3.5, 125).
      assertThat(mean.values()[0]).isCloseTo(0.99f * 0 + 0.01f * 3, within(1e-5f));
      assertThat(mean.values()[1]).isCloseTo(0.01f * 15, within(1e-5f));
      assertThat(variance.values()[0]).isCloseTo(0.99f + 0.01f * 3.5f, within(1e-5f));
      assertThat(variance.values()[1]).isCloseTo(0.99f + 0.01f * 125, within(1e-4f));
      // Inference uses the moving statistics.
      Tensor out = m.predict(x);
      float g = m.getWeights().get(0).values()[0];
      float b = m.getWeights().get(1).values()[0];
      double expected = g * (1 - mean.values()[0]) / Math.sqrt(variance.values()[0] + 1e-3) + b;
      assertThat(out.get(0, 0)).isCloseTo((float) expected, within(1e-4f));
      m.close();
    }
  }

  @Test
  void aFrozenLayerKeepsItsWeightsAndAFrozenBatchNormItsStatistics() {
    Tensor x = Tensor.of(new float[][] {{1, 10}, {3, 30}, {2, 20}, {6, 0}});
    Tensor y = Tensor.of(new float[][] {{1}, {0}, {1}, {0}});
    Sequential m = new Sequential(new int[] {2}, Layers.frozen(new BatchNormalization()),
        Layers.frozen(new Dense(3, "tanh")), new Dense(1));
    assertThat(m.summary()).contains("Trainable params: 4", "Non-trainable params: "
        + (8 + 9));
    try (Backplane bp = backplane()) {
      m.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(bp).build());
      List<NamedArray> before = m.getState().copy().parameters();
      ModelState start = m.getState().copy();
      m.fit(x, y, FitOptions.builder().epochs(2).batchSize(2).verbose(0).build());
      ModelState after = m.getState();
      assertThat(after.slots()).allSatisfy(s -> assertThat(s.name()).startsWith("dense_1/"));
      for (NamedArray v : start.variables()) {
        assertThat(after.variable(v.name()).values()).as(v.name()).containsExactly(v.values());
      }
      assertThat(after.variable("dense/kernel").values())
          .containsExactly(start.variable("dense/kernel").values());
      assertThat(after.parameter("dense_1/kernel").values())
          .isNotEqualTo(before.get(0).values());
      m.close();
    }
  }

  @Test
  void embeddingModelsLearnAndRejectBadIndices() {
    Sequential m = new Sequential(new int[] {3}, new Embedding(5, 4), new Flatten(),
        new Dense(1, "sigmoid"));
    Tensor x = Tensor.of(new float[][] {{0, 1, 2}, {4, 3, 2}, {1, 1, 1}, {3, 3, 4}});
    Tensor y = Tensor.of(new float[][] {{0}, {1}, {0}, {1}});
    try (Backplane bp = backplane()) {
      m.compile(options(bp, "binary_crossentropy", new dev.backplane.optimizer.Adam(0.05)));
      m.fit(x, y, FitOptions.builder().epochs(40).batchSize(4).verbose(0).build());
      assertThat(m.evaluate(x, y).get("accuracy")).isEqualTo(1.0);
      Tensor bad = Tensor.of(new float[][] {{0, 1, 2}, {4, 5, 2}});
      assertThatThrownBy(() -> m.predict(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("x has 5.0 at row 1, but layer 'embedding' (Embedding) needs integer"
              + " indices in [0, 5) (input_dim=5); raise input_dim or remap the index");
      Tensor fractional = Tensor.of(new float[][] {{0, 1.5f, 2}});
      assertThatThrownBy(() -> m.fit(fractional, Tensor.of(new float[][] {{0}}), 1, 1))
          .hasMessageContaining("has 1.5 at row 0").hasMessageContaining("round the data");
      assertThatThrownBy(() -> m.evaluate(Tensor.of(new float[][] {{-1, 0, 0}}),
          Tensor.of(new float[][] {{0}}))).hasMessageContaining("has -1.0 at row 0");
      m.close();
    }
  }
}
