package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.ExponentialDecay;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LearningRateScheduler, ReduceLROnPlateau, CSVLogger and History, with Keras's semantics. */
class FitCallbacksTest {
  private final Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.seed", "11"),
      new ReferenceFakeProvider());

  @AfterEach
  void close() {
    bp.close();
  }

  private Sequential model(dev.backplane.optimizer.Optimizer optimizer) {
    Sequential m = new Sequential(new int[] {3}, new Dense(4, "tanh"), new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder().optimizer(optimizer).loss("binary_crossentropy")
        .metrics("accuracy").backplane(bp).build());
    return m;
  }

  private static Tensor[] data() {
    int n = 24;
    float[] x = new float[n * 3];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] = (float) Math.cos(i * 0.9 + j);
      }
      y[i] = x[i * 3] > 0 ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, n, 3), Tensor.wrap(y, n, 1)};
  }

  private static FitOptions.Builder quiet() {
    return FitOptions.builder().verbose(0).batchSize(8);
  }

  @Test
  void aSchedulerChangesTheRateAndKeepsTheOptimizerState() {
    Tensor[] d = data();
    List<NamedArrayValues> scheduled;
    History h;
    try (Sequential m = model(new Adam(0.01))) {
      h = m.fit(d[0], d[1], quiet().epochs(3).callbacks(new LearningRateScheduler(
          (epoch, lr) -> epoch < 1 ? lr : lr * 0.5)).build());
      scheduled = NamedArrayValues.of(m.getState());
      assertThat(m.learningRate()).isCloseTo(0.0025, within(1e-9));
      assertThat(m.getState().iterations()).isEqualTo(9);
    }
    // Keras logs the rate each epoch ran with, read from its float32 variable
    assertThat(h.get("learning_rate")).containsExactly((double) 0.01f, (double) 0.005f,
        (double) 0.0025f);
    // the same as three fits with the rate set in between: Adam's slots and t carry over
    try (Sequential m = model(new Adam(0.01))) {
      m.fit(d[0], d[1], quiet().epochs(1).build());
      m.setLearningRate(0.005);
      m.fit(d[0], d[1], quiet().epochs(2).initialEpoch(1).build());
      m.setLearningRate(0.0025);
      m.fit(d[0], d[1], quiet().epochs(3).initialEpoch(2).build());
      assertThat(NamedArrayValues.of(m.getState())).isEqualTo(scheduled);
    }
  }

  /** State values as lists, comparable with equals. */
  record NamedArrayValues(String name, List<Float> values) {
    static List<NamedArrayValues> of(ModelState s) {
      List<NamedArrayValues> out = new java.util.ArrayList<>();
      for (var list : List.of(s.parameters(), s.slots())) {
        for (var a : list) {
          List<Float> v = new java.util.ArrayList<>();
          for (float f : a.values()) {
            v.add(f);
          }
          out.add(new NamedArrayValues(a.name(), v));
        }
      }
      return out;
    }
  }

  @Test
  void reduceOnPlateauFollowsKerasCounting() {
    try (Sequential m = model(new SGD(0.1))) {
      ReduceLROnPlateau r = new ReduceLROnPlateau("loss", 0.5, 2, false, "auto", 1e-4, 1, 0.01);
      r.onTrainBegin(m);
      double[] losses = {1.0, 0.9, 0.95, 0.92, 0.91, 0.5, 0.6, 0.6};
      double[] rates = new double[losses.length];
      for (int e = 0; e < losses.length; e++) {
        r.onEpochEnd(m, e, Map.of("loss", losses[e]));
        rates[e] = m.learningRate();
      }
      // e3: two epochs without improvement -> 0.1 * 0.5; e4 is the cooldown; e7: -> 0.025
      double first = (float) 0.1 * 0.5;
      assertThat(rates[2]).isEqualTo(0.1);
      assertThat(rates[3]).isEqualTo(first);
      assertThat(rates[6]).isEqualTo(first);
      assertThat(rates[7]).isEqualTo((float) first * 0.5);
      // min_lr bounds the rate, and a rate at min_lr is left alone
      ReduceLROnPlateau floor = new ReduceLROnPlateau("loss", 0.1, 0, false, "min", 0, 0, 0.02);
      floor.onTrainBegin(m);
      floor.onEpochEnd(m, 0, Map.of("loss", 1.0));
      assertThat(m.learningRate()).as("an improvement").isEqualTo(rates[7]);
      floor.onEpochEnd(m, 1, Map.of("loss", 2.0));
      assertThat(m.learningRate()).isEqualTo(0.02);
      floor.onEpochEnd(m, 2, Map.of("loss", 3.0));
      assertThat(m.learningRate()).isEqualTo(0.02);
    }
    assertThatThrownBy(() -> new ReduceLROnPlateau("loss", 1.0, 1))
        .hasMessageContaining("does not support a factor >= 1.0. Received factor=1.0");
  }

  @Test
  void reduceOnPlateauInAFitLogsTheRate() {
    Tensor[] d = data();
    try (Sequential m = model(new SGD(0.2))) {
      History h = m.fit(d[0], d[1], quiet().epochs(3).callbacks(
          new ReduceLROnPlateau("loss", 0.5, 0, false, "max", 0, 0, 0)).build());
      // loss falls each epoch, so in max mode every epoch after the first is "no better"
      assertThat(h.get("learning_rate")).hasSize(3);
      assertThat(h.get("learning_rate").get(0)).isEqualTo((double) 0.2f);
      assertThat(m.learningRate()).isLessThan(0.2);
      assertThat(h.epoch()).containsExactly(0, 1, 2);
      assertThat(h.params()).containsEntry("epochs", 3).containsEntry("steps", 3)
          .containsEntry("verbose", 0);
    }
  }

  @Test
  void aScheduledOptimizerRateIsNotSettable() {
    try (Sequential m = model(new SGD(new ExponentialDecay(0.1, 10, 0.9)))) {
      assertThatThrownBy(() -> m.setLearningRate(0.01))
          .hasMessageContaining("its learning rate is not settable");
      assertThatThrownBy(() -> model(new SGD(0.1)).setLearningRate(-1))
          .hasMessageContaining("positive finite");
    }
  }

  @Test
  void csvLoggerWritesKerasRows(@TempDir Path dir) throws Exception {
    Tensor[] d = data();
    Path csv = dir.resolve("log.csv");
    try (Sequential m = model(new SGD(0.1))) {
      History h = m.fit(d[0], d[1], quiet().epochs(2).validationSplit(0.25)
          .callbacks(new CSVLogger(csv)).build());
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      assertThat(lines).hasSize(3);
      assertThat(lines.get(0)).isEqualTo("epoch,accuracy,loss,val_accuracy,val_loss");
      String[] row = lines.get(2).split(",");
      assertThat(row[0]).isEqualTo("1");
      assertThat(Double.parseDouble(row[2])).isEqualTo(h.get("loss").get(1));
      assertThat(Double.parseDouble(row[4])).isEqualTo(h.get("val_loss").get(1));
      // appending continues the file without a second header
      m.fit(d[0], d[1], quiet().epochs(3).initialEpoch(2).validationSplit(0.25)
          .callbacks(new CSVLogger(csv, ",", true)).build());
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      assertThat(lines).hasSize(4);
      assertThat(lines.get(3)).startsWith("2,");
      // without validation Keras adds val_ columns filled with NA
      m.fit(d[0], d[1], quiet().epochs(1).callbacks(new CSVLogger(csv)).build());
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      assertThat(lines.get(0)).isEqualTo("epoch,accuracy,loss,val_accuracy,val_loss");
      assertThat(lines.get(1)).endsWith(",NA,NA");
    }
    assertThat(Files.readString(csv)).contains("\r\n");
  }

  @Test
  void pythonNumberFormat() {
    Map<Double, String> cases = new HashMap<>();
    cases.put(0.5, "0.5");
    cases.put(1e-5, "1e-05");
    cases.put(1.5e-7, "1.5e-07");
    cases.put(1e16, "1e+16");
    cases.put(1e7, "10000000.0");
    cases.put(0.0001, "0.0001");
    cases.put(2.0, "2.0");
    cases.put(Double.NaN, "nan");
    cases.forEach((v, s) -> assertThat(CSVLogger.python(v)).as("%s", v).isEqualTo(s));
  }
}
