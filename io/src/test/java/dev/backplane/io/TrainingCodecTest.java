package dev.backplane.io;

import static dev.backplane.io.ModelFilesTest.data;
import static dev.backplane.io.ModelFilesTest.quiet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.Backplane;
import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.model.Auc;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.F1Score;
import dev.backplane.model.FBetaScore;
import dev.backplane.model.Loss;
import dev.backplane.model.MeanIoU;
import dev.backplane.model.Metric;
import dev.backplane.model.Precision;
import dev.backplane.model.R2Score;
import dev.backplane.model.Recall;
import dev.backplane.model.Sequential;
import dev.backplane.model.SparseTopKCategoricalAccuracy;
import dev.backplane.model.TopKCategoricalAccuracy;
import dev.backplane.optimizer.Adadelta;
import dev.backplane.optimizer.Adagrad;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.AdamW;
import dev.backplane.optimizer.Adamax;
import dev.backplane.optimizer.CosineDecay;
import dev.backplane.optimizer.ExponentialDecay;
import dev.backplane.optimizer.GradientClipping;
import dev.backplane.optimizer.InverseTimeDecay;
import dev.backplane.optimizer.LearningRateSchedule;
import dev.backplane.optimizer.Lion;
import dev.backplane.optimizer.Nadam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.PiecewiseConstantDecay;
import dev.backplane.optimizer.PolynomialDecay;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The training config round-trips every optimizer, schedule, clipping and metric exactly. */
class TrainingCodecTest {
  @TempDir Path dir;

  // the accelerate backend runs every optimizer (the io tests' mini backend only SGD and Adam)
  private final Backplane bp = Backplane.builder().serviceLoader(false)
      .config(BackplaneConfig.builder().systemProperties(new Properties()).environment(Map.of())
          .classpathFile(false).set("backplane.accelerate.blas", "java")
          .set("backplane.threads", "1").build())
      .addProvider(new AccelerateProvider()).build();

  @AfterEach
  void close() {
    bp.close();
  }

  static Stream<Optimizer> optimizers() {
    List<Optimizer> base = List.of(new SGD(0.03, 0.9, true), new Adam(0.002, 0.85, 0.995, 1e-6),
        new RMSprop(0.004, 0.8, 0.1, 1e-6), new AdamW(0.003, 0.01, 0.8, 0.97, 3e-7),
        new Adagrad(0.02, 0.3, 1e-6), new Adadelta(0.7, 0.9, 1e-5),
        new Adamax(0.005, 0.91, 0.993, 2e-7), new Nadam(0.006, 0.88, 0.996, 1e-8),
        new Lion(3e-4, 0.95, 0.98));
    List<LearningRateSchedule> schedules = List.of(new ExponentialDecay(0.05, 17, 0.93, true),
        new PiecewiseConstantDecay(new long[] {5, 20}, new double[] {0.1, 0.05, 0.01}),
        new CosineDecay(0.02, 100, 0.1, 0.07, 10), new CosineDecay(0.02, 100),
        new InverseTimeDecay(0.1, 12, 0.5, false), new PolynomialDecay(0.1, 50, 1e-4, 2.0, true));
    List<GradientClipping> clips = List.of(GradientClipping.NONE, GradientClipping.clipnorm(1.5),
        GradientClipping.clipvalue(0.25), GradientClipping.globalClipnorm(2.0));
    List<Optimizer> all = new ArrayList<>();
    for (int i = 0; i < base.size(); i++) {
      Optimizer o = base.get(i);
      all.add(o);
      all.add(o.withLearningRate(schedules.get(i % schedules.size()))
          .withClipping(clips.get(i % clips.size())));
      all.add(o.withClipping(clips.get((i + 1) % clips.size())));
    }
    return all.stream();
  }

  private static TrainingConfig roundTrip(TrainingConfig t) {
    JsonNode json = SafeJson.mapper().valueToTree(TrainingCodec.encode(t));
    return TrainingCodec.decode(JsonFields.of(Path.of("t.json"), "training_config", json));
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void everyOptimizerScheduleAndClippingRoundTrips(Optimizer o) {
    TrainingConfig t = new TrainingConfig(o, Loss.BINARY_CROSSENTROPY, List.of(Metric.ACCURACY));
    TrainingConfig back = roundTrip(t);
    assertThat(back.optimizer()).isEqualTo(o);
    if (o.schedule() != null) {
      for (long step : new long[] {0, 1, 7, 33, 250}) {
        assertThat(back.optimizer().schedule().valueAt(step))
            .isEqualTo(o.schedule().valueAt(step));
      }
    }
  }

  @Test
  void everyMetricRoundTrips() {
    List<Metric> metrics = List.of(Metric.ACCURACY, Metric.MAE, new Precision(0.3, 2, 1),
        new Precision(), new Recall(Double.NaN, 0, 0), new Auc(77, Auc.Curve.PR, true),
        new Auc(), new F1Score("macro", 0.4), new F1Score(), new FBetaScore(null, 2.5),
        new TopKCategoricalAccuracy(3), new SparseTopKCategoricalAccuracy(2), new MeanIoU(4),
        new MeanIoU(0), new R2Score("variance_weighted_average", 2), new R2Score(null, 0));
    TrainingConfig back = roundTrip(new TrainingConfig(new Adam(), Loss.MEAN_SQUARED_ERROR,
        metrics));
    assertThat(back.metrics()).isEqualTo(metrics);
  }

  @Test
  void badConfigsAreNamed() {
    TrainingConfig t = new TrainingConfig(new SGD(new ExponentialDecay(0.1, 10, 0.5)),
        Loss.MEAN_SQUARED_ERROR, List.of(new Auc()));
    String json = TrainingCodec.encode(t).toString();
    assertThatThrownBy(() -> decode(json.replace("ExponentialDecay", "CyclicDecay")))
        .hasMessageContaining("unknown learning-rate schedule 'CyclicDecay'; expected one of"
            + " ExponentialDecay, PiecewiseConstantDecay, CosineDecay");
    assertThatThrownBy(() -> decode(json.replace("\"decay_rate\":0.5", "\"decay_rate\":-1")))
        .hasMessageContaining("ExponentialDecay");
    assertThatThrownBy(() -> decode(json.replace("\"AUC\"", "\"CohenKappa\"")))
        .hasMessageContaining("unknown metric 'CohenKappa'");
    assertThatThrownBy(() -> decode(json.replace("\"momentum\"", "\"momentumm\"")))
        .hasMessageContaining("unknown field 'momentumm'");
  }

  private static TrainingConfig decode(String json) throws Exception {
    return TrainingCodec.decode(JsonFields.of(Path.of("t.json"), "training_config",
        SafeJson.mapper().readTree(json)));
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void aSavedModelResumesExactly(Optimizer o) {
    Tensor[] d = data(32, 4);
    Path file = dir.resolve("m.safetensors");
    ModelState straight;
    try (Sequential m = model(o)) {
      m.fit(d[0], d[1], quiet().epochs(4).batchSize(8).build());
      straight = m.getState();
    }
    try (Sequential m = model(o)) {
      m.fit(d[0], d[1], quiet().epochs(2).batchSize(8).build());
      ModelFiles.save(m, file);
    }
    try (Sequential m = ModelFiles.load(file, bp)) {
      assertThat(m.optimizer()).isEqualTo(o);
      m.fit(d[0], d[1], quiet().epochs(4).initialEpoch(2).batchSize(8).build());
      ModelState resumed = m.getState();
      assertThat(resumed.iterations()).isEqualTo(straight.iterations());
      for (int i = 0; i < straight.parameters().size(); i++) {
        assertThat(resumed.parameters().get(i).values())
            .containsExactly(straight.parameters().get(i).values());
      }
      for (int i = 0; i < straight.slots().size(); i++) {
        assertThat(resumed.slots().get(i).values())
            .containsExactly(straight.slots().get(i).values());
      }
    }
  }

  private Sequential model(Optimizer o) {
    Sequential m = new Sequential("reg", new int[] {3}, new Dense(5, "tanh"), new Dense(1));
    m.compile(CompileOptions.builder().optimizer(o).loss("mse").metrics(new R2Score(),
        new Precision(0.2)).backplane(bp).seed(3).build());
    return m;
  }
}
