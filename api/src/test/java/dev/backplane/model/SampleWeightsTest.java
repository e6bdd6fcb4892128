package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.data.Dataset;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Keras's sample_weight and class_weight, checked against hand-computed Keras values. */
class SampleWeightsTest {
  private final Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.seed", "3"),
      new ReferenceFakeProvider());

  private static final Tensor X = Tensor.of(new float[][] {{1, 2}, {3, -1}, {0, 1}, {2, 2}});
  private static final Tensor Y = Tensor.of(new float[][] {{1}, {0}, {2}, {-1}});
  private static final Tensor W = Tensor.wrap(new float[] {1, 2, 0.5f, 0}, 4);

  @AfterEach
  void close() {
    bp.close();
  }

  /** Dense(1) with kernel (0.5, -0.25), bias 0.1, mse, SGD(0.1). */
  private Sequential linear() {
    Sequential m = new Sequential(new int[] {2}, new Dense(1));
    m.compile(CompileOptions.builder().optimizer(new SGD(0.1)).loss("mse").backplane(bp)
        .build());
    List<NamedArray> w = m.getWeights();
    m.setWeights(List.of(new NamedArray(w.get(0).name(), w.get(0).shape(),
        new float[] {0.5f, -0.25f}), new NamedArray(w.get(1).name(), w.get(1).shape(),
        new float[] {0.1f})));
    return m;
  }

  private static FitOptions.Builder quiet() {
    return FitOptions.builder().verbose(0).shuffle(false);
  }

  @Test
  void evaluateDividesTheWeightedSumByTheBatchSizeAsKeras() {
    try (Sequential m = linear()) {
      // squared errors 0.81, 3.4225, 4.6225, 2.56; weights 1, 2, 0.5, 0
      // Keras sum_over_batch_size: (0.81 + 6.845 + 2.31125 + 0) / 4 (not / 3.5)
      assertThat(m.evaluate(X, Y, W, 4).get("loss")).isCloseTo(2.4915625, within(1e-6));
      // in batches of 3 and 1 the epoch mean is the same sum over all 4 samples
      assertThat(m.evaluate(X, Y, W, 3).get("loss")).isCloseTo(2.4915625, within(1e-6));
      // without weights, on the same (now weighted) programs: the plain mean
      assertThat(m.evaluate(X, Y, 4).get("loss"))
          .isCloseTo((0.81 + 3.4225 + 4.6225 + 2.56) / 4, within(1e-6));
    }
  }

  @Test
  void fitTakesTheGradientOfTheWeightedLoss() {
    try (Sequential m = linear()) {
      History h = m.fit(X, Y, quiet().epochs(1).batchSize(4).sampleWeight(W).build());
      assertThat(h.last("loss")).isCloseTo(2.4915625, within(1e-6));
      // d/dk of sum(w (xk + b - y)^2) / 4: (2/4) sum w e x = (5.1, -3.2875), bias 0.8625
      List<NamedArray> w = m.getWeights();
      assertThat(w.get(0).values()[0]).isCloseTo(0.5f - 0.51f, within(1e-6f));
      assertThat(w.get(0).values()[1]).isCloseTo(-0.25f + 0.32875f, within(1e-6f));
      assertThat(w.get(1).values()[0]).isCloseTo(0.1f - 0.08625f, within(1e-6f));
      assertThat(m.getState().iterations()).isEqualTo(1);
    }
  }

  @Test
  void weightsOfOneAreTheUnweightedFit() {
    Tensor ones = Tensor.wrap(new float[] {1, 1, 1, 1}, 4, 1);
    try (Sequential a = linear(); Sequential b = linear()) {
      History ha = a.fit(X, Y, quiet().epochs(3).batchSize(2).build());
      History hb = b.fit(X, Y, quiet().epochs(3).batchSize(2).sampleWeight(ones).build());
      for (int e = 0; e < 3; e++) {
        assertThat(hb.get("loss").get(e)).isCloseTo(ha.get("loss").get(e), within(1e-6));
      }
    }
  }

  @Test
  void classWeightIsTheSampleWeightOfEachLabel() {
    Tensor x = Tensor.of(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {2, 1}, {1, 2}});
    Tensor y = Tensor.ofLabels(new int[] {0, 1, 2, 1, 0, 2});
    Map<Integer, Double> cw = Map.of(0, 2.0, 2, 0.5);
    Tensor sw = Tensor.wrap(new float[] {2, 1, 0.5f, 1, 2, 0.5f}, 6);
    List<Double> byClass;
    List<Double> bySample;
    try (Sequential m = classifier()) {
      byClass = m.fit(x, y, quiet().epochs(3).batchSize(4).classWeight(cw).build()).get("loss");
    }
    try (Sequential m = classifier()) {
      bySample = m.fit(x, y, quiet().epochs(3).batchSize(4).sampleWeight(sw).build())
          .get("loss");
    }
    assertThat(byClass).hasSize(3);
    for (int e = 0; e < 3; e++) {
      assertThat(byClass.get(e)).isCloseTo(bySample.get(e), within(1e-7));
    }
    // one-hot labels map to the same classes (arg-max), a binary label to its rounded value
    float[] oneHot = {1, 0, 0, 0, 0, 1};
    assertThat(SampleWeights.fromClassWeight(cw, Tensor.wrap(oneHot, 2, 3), 3, false))
        .containsExactly(2f, 0.5f);
    assertThat(SampleWeights.fromClassWeight(Map.of(1, 3.0), Tensor.wrap(new float[] {0, 1},
        2, 1), 1, false)).containsExactly(1f, 3f);
  }

  @Test
  void classWeightOnADatasetMatchesTheTensors() {
    Tensor x = Tensor.of(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {2, 1}, {1, 2}});
    Tensor y = Tensor.ofLabels(new int[] {0, 1, 2, 1, 0, 2});
    Map<Integer, Double> cw = Map.of(0, 2.0, 2, 0.5);
    List<Double> tensors;
    List<Double> rows;
    try (Sequential m = classifier()) {
      tensors = m.fit(x, y, quiet().epochs(2).batchSize(4).classWeight(cw).build()).get("loss");
    }
    try (Sequential m = classifier()) {
      rows = m.fit(asRows(x, y), quiet().epochs(2).batchSize(4).classWeight(cw).build())
          .get("loss");
    }
    for (int e = 0; e < 2; e++) {
      assertThat(rows.get(e)).isCloseTo(tensors.get(e), within(1e-7));
    }
    // with a validation split only the training part is weighted by class, on both paths
    History t;
    History r;
    try (Sequential m = classifier()) {
      t = m.fit(x, y, quiet().epochs(2).batchSize(2).validationSplit(0.5).classWeight(cw)
          .build());
    }
    try (Sequential m = classifier()) {
      r = m.fit(asRows(x, y), quiet().epochs(2).batchSize(2).validationSplit(0.5)
          .classWeight(cw).build());
    }
    try (Sequential m = classifier()) {
      m.fit(x.rows(0, 3), y.rows(0, 3), quiet().epochs(2).batchSize(2).classWeight(cw)
          .build());
      // the validation loss of the split: rows 3-5, unweighted
      assertThat(t.last("val_loss")).isCloseTo(m.evaluate(x.rows(3, 6), y.rows(3, 6), 3)
          .get("loss"), within(1e-6));
    }
    assertThat(r.get("val_loss")).hasSize(2);
    for (int e = 0; e < 2; e++) {
      assertThat(r.get("val_loss").get(e)).isCloseTo(t.get("val_loss").get(e), within(1e-7));
      assertThat(r.get("loss").get(e)).isCloseTo(t.get("loss").get(e), within(1e-7));
    }
  }

  /** A row-addressable dataset that is not an in-memory ArrayDataset. */
  private static Dataset asRows(Tensor x, Tensor y) {
    return new Dataset() {
      @Override
      public int size() {
        return x.rows();
      }

      @Override
      public int[] featureShape() {
        return new int[] {x.rowSize()};
      }

      @Override
      public int labelSize() {
        return 1;
      }

      @Override
      public void read(int row, float[] xs, int xOffset, float[] ys, int yOffset) {
        System.arraycopy(x.data(), row * x.rowSize(), xs, xOffset, x.rowSize());
        if (ys != null) {
          ys[yOffset] = y.get(row);
        }
      }
    };
  }

  private Sequential classifier() {
    Sequential m = new Sequential(new int[] {2}, new Dense(4, "relu"), new Dense(3, "softmax"));
    m.compile(CompileOptions.builder().optimizer("adam").loss("sparse_categorical_crossentropy")
        .metrics("accuracy").backplane(bp).build());
    return m;
  }

  @Test
  void metricsReadTheLabelsBesideTheWeightColumn() {
    Tensor x = Tensor.of(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0, 0}});
    Tensor y = Tensor.ofLabels(new int[] {0, 1, 2, 1});
    try (Sequential m = classifier()) {
      double plain = m.evaluate(x, y, 4).get("accuracy");
      double weighted = m.evaluate(x, y, Tensor.wrap(new float[] {5, 0, 1, 2}, 4), 4)
          .get("accuracy");
      // Keras's `metrics` are unweighted: the same accuracy
      assertThat(weighted).isEqualTo(plain);
      Evaluation detailed = m.evaluateDetailed(x, y, null, 2);
      assertThat(detailed.confusion()).isPresent();
      assertThat(detailed.confusionMatrix().total()).isEqualTo(4);
      assertThat(detailed.logs().get("accuracy")).isEqualTo(plain);
    }
  }

  @Test
  void badWeightsAreClearErrors() {
    try (Sequential m = linear()) {
      assertThatThrownBy(() -> m.fit(X, Y, quiet().sampleWeight(new float[] {1, 2}).build()))
          .hasMessageContaining("sample_weight has 2 weights but the data has 4 samples");
      assertThatThrownBy(() -> m.evaluate(X, Y, Tensor.wrap(new float[] {1, Float.NaN, 1, 1},
          4), 4)).hasMessageContaining("sample_weight has NaN at sample 1");
      assertThatThrownBy(() -> m.evaluate(X, Y, Tensor.wrap(new float[8], 4, 2), 4))
          .hasMessageContaining("must have shape (4,) or (4, 1)");
      assertThatThrownBy(() -> quiet().sampleWeight(W).classWeight(Map.of(0, 1.0)).build())
          .hasMessageContaining("cannot use `class_weight` and `sample_weight`");
    }
    try (Sequential m = classifier()) {
      Tensor x = Tensor.of(new float[][] {{1, 0}, {0, 1}});
      Tensor y = Tensor.ofLabels(new int[] {0, 1});
      assertThatThrownBy(() -> m.fit(x, y, quiet().classWeight(Map.of(3, 1.0)).build()))
          .hasMessageContaining("class_weight has key 3 but the model has 3 classes");
      Map<Integer, Double> nan = new java.util.HashMap<>();
      nan.put(1, Double.NaN);
      assertThatThrownBy(() -> m.fit(x, y, quiet().classWeight(nan).build()))
          .hasMessageContaining("class_weight of class 1 is NaN");
    }
  }

  @Test
  void validationSplitCarriesTheWeights() {
    try (Sequential m = linear()) {
      History h = m.fit(X, Y, quiet().epochs(1).batchSize(4).validationSplit(0.5)
          .sampleWeight(W).build());
      // validation rows 2 and 3 (weights 0.5, 0), evaluated after the step on rows 0-1
      List<NamedArray> w = m.getWeights();
      float k0 = w.get(0).values()[0];
      float k1 = w.get(0).values()[1];
      float b = w.get(1).values()[0];
      double e2 = 0 * k0 + 1 * k1 + b - 2;
      double e3 = 2 * k0 + 2 * k1 + b + 1;
      List<Double> expected = new ArrayList<>(List.of((0.5 * e2 * e2 + 0 * e3 * e3) / 2));
      assertThat(h.last("val_loss")).isCloseTo(expected.get(0), within(1e-5));
    }
  }
}
