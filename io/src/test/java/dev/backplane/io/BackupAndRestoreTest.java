package dev.backplane.io;

import static dev.backplane.io.ModelFilesTest.data;
import static dev.backplane.io.ModelFilesTest.quiet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.io.testing.MiniProvider;
import dev.backplane.model.Callback;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.History;
import dev.backplane.model.LearningRateScheduler;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An interrupted fit resumed by BackupAndRestore ends where an uninterrupted one does. */
class BackupAndRestoreTest {
  @TempDir Path dir;

  private final Backplane accelerate = Backplane.builder().serviceLoader(false)
      .config(BackplaneConfig.builder().systemProperties(new Properties()).environment(Map.of())
          .classpathFile(false).set("backplane.accelerate.blas", "java")
          .set("backplane.threads", "1").build())
      .addProvider(new AccelerateProvider()).build();
  private final Backplane mini = MiniProvider.backplane("mini");

  @AfterEach
  void close() {
    accelerate.close();
    mini.close();
  }

  private Backplane backplane(String which) {
    return which.equals("accelerate") ? accelerate : mini;
  }

  private Sequential model(Backplane bp) {
    // dropout masks follow the restored iteration count (the mini backend has no dropout)
    double rate = bp == accelerate ? 0.3 : 0.0;
    Sequential m = new Sequential("clf", new int[] {3}, new Dense(6, "tanh"), new Dropout(rate),
        new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder().optimizer(new Adam(0.05)).loss("binary_crossentropy")
        .metrics("accuracy").backplane(bp).seed(11).build());
    return m;
  }

  // A stateless, epoch-driven rate change: the restored rate and the epoch index give the same
  // rates as the uninterrupted fit (a ReduceLROnPlateau's counters are not backed up, as in
  // Keras, so its resumed decisions may differ).

  /** Throws at the end of one epoch, after the callbacks before it ran. */
  private static Callback crashAfter(int epoch) {
    return new Callback() {
      @Override
      public void onEpochEnd(Sequential model, int e, Map<String, Double> logs) {
        if (e == epoch) {
          throw new IllegalStateException("simulated crash after epoch " + e);
        }
      }
    };
  }

  private static void assertSameState(ModelState a, ModelState b) {
    assertThat(b.iterations()).isEqualTo(a.iterations());
    for (var pair : List.of(List.of(a.parameters(), b.parameters()),
        List.of(a.slots(), b.slots()))) {
      for (int i = 0; i < pair.get(0).size(); i++) {
        NamedArray x = pair.get(0).get(i);
        NamedArray y = pair.get(1).get(i);
        assertThat(y.name()).isEqualTo(x.name());
        assertThat(y.values()).as(x.name()).containsExactly(x.values());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mini", "accelerate"})
  void anInterruptedFitResumesFromItsLastEpoch(String which) throws Exception {
    Tensor[] d = data(40, 3);
    Backplane bp = backplane(which);
    ModelState uninterrupted;
    List<Double> losses;
    try (Sequential m = model(bp)) {
      History h = m.fit(d[0], d[1], quiet().shuffle(true).epochs(5).batchSize(8).callbacks(
          new LearningRateScheduler((e, lr) -> e == 0 ? lr : lr * 0.7)).build());
      uninterrupted = m.getState();
      losses = h.get("loss");
    }
    Path backup = dir.resolve("backup");
    try (Sequential m = model(bp)) {
      assertThatThrownBy(() -> m.fit(d[0], d[1], quiet().shuffle(true).epochs(5).batchSize(8)
          .callbacks(new LearningRateScheduler((e, lr) -> e == 0 ? lr : lr * 0.7),
              new BackupAndRestore(backup), crashAfter(2)).build()))
          .hasMessageContaining("simulated crash after epoch 2");
    }
    assertThat(new BackupAndRestore(backup).latest().getFileName().toString())
        .isEqualTo("epoch-000003.safetensors");
    try (Sequential m = model(bp)) {
      // a new process: a fresh model, the same fit call
      History h = m.fit(d[0], d[1], quiet().shuffle(true).epochs(5).batchSize(8).callbacks(
          new LearningRateScheduler((e, lr) -> e == 0 ? lr : lr * 0.7),
          new BackupAndRestore(backup)).build());
      assertThat(h.epoch()).containsExactly(3, 4);
      assertThat(h.get("loss")).containsExactly(losses.get(3), losses.get(4));
      assertSameState(uninterrupted, m.getState());
    }
    try (var files = Files.list(backup)) {
      assertThat(files.toList()).as("deleted after a completed fit").isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mini"})
  void aBackupOfAnotherOptimizerIsRefused(String which) {
    Tensor[] d = data(16, 3);
    Path backup = dir.resolve("b");
    try (Sequential m = model(backplane(which))) {
      assertThatThrownBy(() -> m.fit(d[0], d[1], quiet().epochs(2).callbacks(
          new BackupAndRestore(backup), crashAfter(0)).build())).hasMessageContaining("crash");
    }
    try (Sequential m = new Sequential("clf", new int[] {3}, new Dense(6, "tanh"),
        new Dropout(0.0), new Dense(1, "sigmoid"))) {
      m.compile(CompileOptions.builder().optimizer("sgd").loss("binary_crossentropy")
          .backplane(backplane(which)).seed(11).build());
      assertThatThrownBy(() -> m.fit(d[0], d[1], quiet().epochs(2).callbacks(
          new BackupAndRestore(backup)).build()))
          .hasMessageContaining("made with optimizer adam but the model is compiled with sgd");
    }
  }
}
