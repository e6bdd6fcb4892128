package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.model.Auc;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.LearningRateScheduler;
import dev.backplane.model.ReduceLROnPlateau;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import dev.backplane.tfjava.TfJavaProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Class weights, sample weights, streaming metrics and both learning-rate callbacks in one fit,
 * on the float64 interpreter, accelerate and tf-java: every backend prints the reference's loss
 * curve. Also prints what a learning-rate change costs on each backend (the programs are
 * rebuilt and compiled, the state moved over); nothing is asserted about time.
 */
class AroundFitAcrossBackendsTest {
  private static Tensor[] data(int n) {
    float[] x = new float[n * 4];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) Math.sin(i * 0.77 + j * 1.3);
        s += x[i * 4 + j] * (j - 1.5);
      }
      y[i] = s > 0.5 ? 2 : s > -0.5 ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, n, 4), Tensor.ofLabels(y)};
  }

  private record Run(History history, Map<String, Double> weighted, ModelState state) {}

  private static Backplane backplane(BackendProvider p) {
    // a long probe deadline: loading TensorFlow's natives on a loaded machine can pass the 5 s
    // default, and the placement would then find no device
    BackplaneConfig config = BackplaneConfig.builder().systemProperties(new Properties())
        .environment(Map.of()).classpathFile(false).set("backplane.probe.cache", "0")
        .set("backplane.canary", "off").set("backplane.probe.timeout", "300s").build();
    return Backplane.builder().serviceLoader(false).config(config).addProvider(p).build();
  }

  private static Sequential model(Backplane bp) {
    Sequential m = new Sequential(new int[] {4}, new Dense(8, "tanh"), new Dense(3, "softmax"));
    m.compile(CompileOptions.builder().optimizer(new Adam(0.02))
        .loss("sparse_categorical_crossentropy").metrics("accuracy", "f1_score")
        .metrics(new Auc()).backplane(bp).seed(5).build());
    return m;
  }

  private static Run run(BackendProvider p) {
    Tensor[] d = data(96);
    try (Backplane bp = backplane(p); Sequential m = model(bp)) {
      History h = m.fit(d[0], d[1], FitOptions.builder().epochs(5).batchSize(16).verbose(0)
          .output(new PrintStream(new ByteArrayOutputStream())).validationSplit(0.25)
          .classWeight(Map.of(0, 2.0, 2, 0.5))
          .callbacks(new LearningRateScheduler((e, lr) -> e < 2 ? lr : lr * 0.5),
              new ReduceLROnPlateau("loss", 0.8, 0, false, "max", 0, 0, 0))
          .build());
      float[] w = new float[96];
      for (int i = 0; i < w.length; i++) {
        w[i] = (i % 3) * 0.75f;
      }
      Map<String, Double> weighted = m.evaluate(d[0], d[1], Tensor.wrap(w, 96), 32);
      return new Run(h, weighted, m.getState());
    }
  }

  @Test
  void everyBackendPrintsTheReferenceCurve() {
    Run ref = run(new InterpreterProvider());
    for (BackendProvider p : List.of(new AccelerateProvider(), new TfJavaProvider())) {
      Run r = run(p);
      for (String key : List.of("loss", "val_loss", "accuracy", "auc", "learning_rate")) {
        List<Double> want = ref.history().get(key);
        List<Double> got = r.history().get(key);
        assertThat(got).as(p.id() + " " + key).hasSameSizeAs(want);
        for (int e = 0; e < want.size(); e++) {
          assertThat(got.get(e)).as(p.id() + " " + key + " epoch " + e)
              .isCloseTo(want.get(e), within(1e-4 * Math.max(1, Math.abs(want.get(e)))));
        }
      }
      assertThat(r.weighted().get("loss")).as(p.id() + " weighted evaluate")
          .isCloseTo(ref.weighted().get("loss"), within(1e-4));
      assertThat(r.state().iterations()).isEqualTo(ref.state().iterations());
    }
    // the scheduler halves from epoch 2; ReduceLROnPlateau (max mode on a falling loss) takes
    // 0.8 of the rate after every epoch but the first
    List<Double> rates = ref.history().get("learning_rate");
    assertThat(rates.get(0)).isEqualTo((double) 0.02f);
    assertThat(rates.get(4)).isLessThan(rates.get(3));
  }

  @Test
  void printsTheCostOfALearningRateChange() {
    Tensor[] d = data(64);
    for (BackendProvider p : List.of(new AccelerateProvider(), new TfJavaProvider())) {
      try (Backplane bp = backplane(p); Sequential m = model(bp)) {
        m.fit(d[0], d[1], FitOptions.builder().epochs(1).batchSize(16).verbose(0).build());
        ModelState before = m.getState();
        int changes = 20;
        for (int i = 0; i < 3; i++) {
          m.setLearningRate(0.01 + i * 1e-3);
        }
        long start = System.nanoTime();
        for (int i = 0; i < changes; i++) {
          m.setLearningRate(0.02 + i * 1e-4);
        }
        double ms = (System.nanoTime() - start) / 1e6 / changes;
        System.out.printf(Locale.ROOT, "setLearningRate on %s: %.2f ms per change%n", p.id(), ms);
        ModelState after = m.getState();
        assertThat(after.iterations()).isEqualTo(before.iterations());
        for (int i = 0; i < before.slots().size(); i++) {
          assertThat(after.slots().get(i).values())
              .containsExactly(before.slots().get(i).values());
        }
      }
    }
  }
}
