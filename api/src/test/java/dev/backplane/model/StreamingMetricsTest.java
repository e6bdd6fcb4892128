package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The streaming metrics by name and as objects in compile, fit and evaluate. */
class StreamingMetricsTest {
  private final Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.seed", "5"),
      new ReferenceFakeProvider());

  @AfterEach
  void close() {
    bp.close();
  }

  private static Tensor[] data(int n, int features) {
    float[] x = new float[n * features];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < features; j++) {
        x[i * features + j] = (float) Math.sin(i * 1.7 + j * 0.3);
      }
      y[i] = x[i * features] + x[i * features + 1] > 0 ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, n, features), Tensor.ofLabels(y)};
  }

  @Test
  void kerasNamesCompileAndLogUnderKerasKeys() {
    Tensor[] d = data(40, 3);
    try (Sequential m = new Sequential(new int[] {3}, new Dense(8, "relu"),
        new Dense(1, "sigmoid"))) {
      m.compile(CompileOptions.builder().optimizer("adam").loss("binary_crossentropy")
          .metrics("accuracy", "precision", "recall", "auc", "f1_score", "mean_iou")
          .backplane(bp).build());
      History h = m.fit(d[0], d[1], FitOptions.builder().epochs(2).batchSize(8).verbose(0)
          .validationSplit(0.25).build());
      assertThat(h.history().keySet()).contains("loss", "accuracy", "precision", "recall",
          "auc", "f1_score", "mean_io_u", "val_precision", "val_auc");
      Map<String, Double> logs = m.evaluate(d[0], d[1], 16);
      // the same numbers from the predictions, computed here by the formulas
      float[] p = m.predict(d[0]).toArray();
      double tp = 0;
      double fp = 0;
      double fn = 0;
      for (int i = 0; i < p.length; i++) {
        boolean predicted = p[i] > 0.5f;
        boolean positive = d[1].get(i) == 1;
        tp += predicted && positive ? 1 : 0;
        fp += predicted && !positive ? 1 : 0;
        fn += !predicted && positive ? 1 : 0;
      }
      assertThat(logs.get("precision")).isCloseTo(tp + fp == 0 ? 0 : tp / (tp + fp),
          within(1e-12));
      assertThat(logs.get("recall")).isCloseTo(tp + fn == 0 ? 0 : tp / (tp + fn),
          within(1e-12));
      assertThat(logs.get("auc")).isBetween(0.0, 1.0);
    }
  }

  @Test
  void perClassResultsAndObjectsAndTheConfusionMatrix() {
    Tensor x = Tensor.of(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {2, 1}, {1, 2}});
    Tensor y = Tensor.ofLabels(new int[] {0, 1, 2, 1, 0, 2});
    try (Sequential m = new Sequential(new int[] {2}, new Dense(3, "softmax"))) {
      m.compile(CompileOptions.builder().optimizer("adam")
          .loss("sparse_categorical_crossentropy")
          .metrics(new F1Score(), new SparseTopKCategoricalAccuracy(2), new MeanIoU(3),
              new Precision(Double.NaN, 0, 2))
          .backplane(bp).build());
      Evaluation e = m.evaluateDetailed(x, y, null, 4);
      assertThat(e.logs().keySet()).containsExactly("loss", "f1_score[0]", "f1_score[1]",
          "f1_score[2]", "sparse_top_k_categorical_accuracy", "mean_io_u", "precision");
      float[] p = m.predict(x).toArray();
      long[][] counts = new long[3][3];
      for (int i = 0; i < 6; i++) {
        counts[(int) y.get(i)][Labels.argmax(p, i * 3, 3)]++;
      }
      ConfusionMatrix cm = e.confusion().orElseThrow();
      assertThat(cm).isEqualTo(new ConfusionMatrix(counts));
      assertThat(cm.total()).isEqualTo(6);
      // MeanIoU from the same matrix, by hand
      double sum = 0;
      int valid = 0;
      for (int c = 0; c < 3; c++) {
        long row = 0;
        long col = 0;
        for (int j = 0; j < 3; j++) {
          row += counts[c][j];
          col += counts[j][c];
        }
        if (row + col - counts[c][c] > 0) {
          valid++;
          sum += (double) counts[c][c] / (row + col - counts[c][c]);
        }
      }
      assertThat(e.logs().get("mean_io_u")).isCloseTo(sum / valid, within(1e-12));
    }
  }

  @Test
  void regressionModelsHaveNoConfusionMatrixAndR2Works() {
    Tensor x = Tensor.of(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0, 0}});
    Tensor y = Tensor.of(new float[][] {{1}, {2}, {3}, {0}});
    try (Sequential m = new Sequential(new int[] {2}, new Dense(1))) {
      m.compile(CompileOptions.builder().optimizer("sgd").loss("mse").metrics("r2_score")
          .backplane(bp).build());
      Evaluation e = m.evaluateDetailed(x, y, null, 3);
      assertThat(e.confusion()).isEmpty();
      float[] p = m.predict(x).toArray();
      double mean = 1.5;
      double res = 0;
      double tot = 0;
      for (int i = 0; i < 4; i++) {
        res += Math.pow(y.get(i) - p[i], 2);
        tot += Math.pow(y.get(i) - mean, 2);
      }
      // predict and evaluate round their float32 outputs apart by an ulp or so
      assertThat(e.logs().get("r2_score")).isCloseTo(1 - res / tot, within(1e-6));
    }
  }

  @Test
  void badOptionsAreClearErrors() {
    assertThatThrownBy(() -> new F1Score("sum"))
        .hasMessageContaining("Expected one of: {None, 'micro', 'macro', 'weighted'}");
    assertThatThrownBy(() -> new Auc(1, Auc.Curve.ROC, false))
        .hasMessageContaining("num_thresholds must be > 1");
    assertThatThrownBy(() -> new MeanIoU(1)).hasMessageContaining("num_classes must be >= 2");
    assertThatThrownBy(() -> new R2Score("median", 0))
        .hasMessageContaining("class_aggregation=median");
    try (Sequential m = new Sequential(new int[] {2}, new Dense(3, "softmax"))) {
      assertThatThrownBy(() -> m.compile(CompileOptions.builder().optimizer("adam")
          .loss("categorical_crossentropy").metrics(new Precision(0.5, 0, 3)).backplane(bp)
          .build())).hasMessageContaining("class_id=3 but the model has 3 output(s)");
      assertThatThrownBy(() -> m.compile(CompileOptions.builder().optimizer("adam")
          .loss("categorical_crossentropy").metrics(new MeanIoU(2)).backplane(bp).build()))
          .hasMessageContaining("use num_classes=3");
      assertThat(m.isCompiled()).isFalse();
    }
    assertThat(Metric.of("AUC")).isEqualTo(new Auc());
    assertThat(Metric.of("f1_score")).isEqualTo(new F1Score());
  }
}
