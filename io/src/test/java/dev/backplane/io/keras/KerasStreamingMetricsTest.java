package dev.backplane.io.keras;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Auc;
import dev.backplane.model.F1Score;
import dev.backplane.model.MeanIoU;
import dev.backplane.model.Precision;
import dev.backplane.model.Recall;
import dev.backplane.model.TopKCategoricalAccuracy;
import dev.backplane.io.TrainingConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A Keras 3.15.1 model compiled with streaming metrics and non-default options
 * ({@code io/src/test/keras/make_metric_fixtures.py}) imports with those options, not defaults.
 */
class KerasStreamingMetricsTest {
  @Test
  void optionsOfKerasStreamingMetricsAreKept() throws Exception {
    Path file = Path.of(KerasStreamingMetricsTest.class
        .getResource("/keras/metrics/streaming.keras").toURI());
    ImportedModel imported = KerasModels.read(file);
    TrainingConfig t = imported.model().training().orElseThrow(() ->
        new AssertionError("training config not mapped: " + imported.notes()));
    assertThat(t.metrics()).containsExactly(new Precision(0.3, 0, 1),
        new Recall(Double.NaN, 2, -1), new Auc(50, Auc.Curve.PR, false),
        new F1Score("macro", 0.4), new TopKCategoricalAccuracy(2), new MeanIoU(3));
  }
}
