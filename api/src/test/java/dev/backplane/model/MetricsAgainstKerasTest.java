package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The streaming metrics against Keras 3.15.1's own results on the same inputs, each updated in
 * the same two batches ({@code api/src/test/keras/make_metric_fixtures.py} wrote the fixture).
 */
class MetricsAgainstKerasTest {
  private static final Map<String, double[]> K = load();

  private static Map<String, double[]> load() {
    Map<String, double[]> out = new HashMap<>();
    try (InputStream in = MetricsAgainstKerasTest.class.getResourceAsStream(
        "/metrics/keras_metrics.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in,
            StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.trim().split(" ");
        double[] v = new double[parts.length - 1];
        for (int i = 1; i < parts.length; i++) {
          v[i - 1] = Double.parseDouble(parts[i]);
        }
        out.put(parts[0], v);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static float[] floats(String key) {
    double[] d = K.get(key);
    assertThat(d).as(key).isNotNull();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** The metric over the data in Keras's two batches: the first half, then the rest. */
  private static double[] run(Metric metric, String prefix, int outputs, boolean sparse,
      boolean oneHot) {
    float[] p = floats(prefix + ".p");
    float[] y = floats(prefix + ".y");
    int n = p.length / outputs;
    if (oneHot) {
      float[] o = new float[n * outputs];
      for (int i = 0; i < n; i++) {
        o[i * outputs + (int) y[i]] = 1;
      }
      y = o;
    }
    int stride = y.length / n;
    MetricState s = metric.resolve(Loss.MEAN_SQUARED_ERROR, outputs).newState(outputs, sparse);
    int half = n / 2;
    s.update(p, y, 0, stride, half);
    float[] rest = java.util.Arrays.copyOfRange(p, half * outputs, p.length);
    s.update(rest, y, half * stride, stride, n - half);
    return s.result();
  }

  private static void check(String key, double[] actual) {
    double[] expected = K.get(key);
    assertThat(actual).as(key).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      // Keras accumulates in float32; these are float64 sums of the same counts
      assertThat(actual[i]).as(key + "[" + i + "]").isCloseTo(expected[i], within(2e-6));
    }
  }

  private static void binary(String key, Metric m) {
    check("binary." + key, run(m, "binary", 1, false, false));
  }

  private static void multi(String key, Metric m) {
    check("multi." + key, run(m, "multi", 4, false, true));
  }

  @Test
  void precisionAndRecall() {
    binary("precision", new Precision());
    binary("precision_t03", new Precision(0.3));
    binary("recall", new Recall());
    binary("recall_t07", new Recall(0.7));
    multi("precision_top2", new Precision(Double.NaN, 2, -1));
    multi("recall_class1", new Recall(Double.NaN, 0, 1));
    multi("precision", new Precision());
  }

  @Test
  void aucWithKerasThresholdsAndInterpolation() {
    binary("auc_roc", new Auc());
    binary("auc_pr", new Auc(Auc.Curve.PR));
    binary("auc_roc_50", new Auc(50, Auc.Curve.ROC, false));
    check("binary.auc_logits", run(new Auc(200, Auc.Curve.ROC, true), "binary_logits", 1,
        false, false));
    multi("auc_roc", new Auc());
    multi("auc_pr", new Auc(Auc.Curve.PR));
  }

  @Test
  void fScores() {
    binary("f1_t05", new F1Score(null, 0.5));
    binary("fbeta2_t05", new FBetaScore(null, 2, 0.5));
    multi("f1_none", new F1Score());
    multi("f1_macro", new F1Score("macro"));
    multi("f1_micro", new F1Score("micro"));
    multi("f1_weighted", new F1Score("weighted"));
    multi("fbeta05_macro_t03", new FBetaScore("macro", 0.5, 0.3));
  }

  @Test
  void topKAndMeanIoU() {
    multi("top2", new TopKCategoricalAccuracy(2));
    check("multi.sparse_top2", run(new SparseTopKCategoricalAccuracy(2), "multi", 4, true,
        false));
    check("multi.mean_iou", run(new MeanIoU(4), "multi", 4, true, false));
    // the same from one-hot labels
    multi("mean_iou", new MeanIoU(4));
  }

  @Test
  void r2Scores() {
    check("reg.r2", run(new R2Score(), "reg", 2, false, false));
    check("reg.r2_variance", run(new R2Score("variance_weighted_average", 0), "reg", 2, false,
        false));
    check("reg.r2_none", run(new R2Score(null, 0), "reg", 2, false, false));
    check("reg.r2_adjusted", run(new R2Score("uniform_average", 3), "reg", 2, false, false));
  }
}
