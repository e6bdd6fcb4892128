package dev.backplane.io;

import static dev.backplane.io.ModelFilesTest.data;
import static dev.backplane.io.ModelFilesTest.quiet;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.io.testing.MiniProvider;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.EarlyStopping;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCheckpointTest {
  @TempDir Path dir;

  private final Backplane bp = MiniProvider.backplane("mini");

  @AfterEach
  void close() {
    bp.close();
  }

  private Sequential model(double learningRate) {
    Sequential m = new Sequential("reg", new int[] {3}, new Dense(4, "tanh"), new Dense(1));
    m.compile(CompileOptions.builder().optimizer(new SGD(learningRate, 0.5, false)).loss("mse")
        .backplane(bp).seed(5).build());
    return m;
  }

  private String[] files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void savesEveryEpochUnderTheTemplatedName() throws IOException {
    Tensor[] d = data(24, 1);
    try (Sequential m = model(0.05)) {
      String template = dir + "/e{epoch:02d}-{loss:.4f}.safetensors";
      History h = m.fit(d[0], d[1], quiet().epochs(3).batchSize(8)
          .callbacks(new ModelCheckpoint(template)).build());
      String[] expected = new String[3];
      for (int e = 0; e < 3; e++) {
        expected[e] = String.format(Locale.ROOT, "e%02d-%.4f.safetensors", e + 1,
            h.history().get("loss").get(e));
      }
      assertThat(files()).containsExactly(expected);
      assertThat(ModelFiles.read(dir.resolve(expected[2])).state()).isEqualTo(m.getState());
    }
  }

  @Test
  void trainingResumesExactlyFromACheckpoint() {
    Tensor[] d = data(24, 2);
    ModelState uninterrupted;
    try (Sequential m = model(0.05)) {
      m.fit(d[0], d[1], quiet().epochs(3).batchSize(8).build());
      uninterrupted = m.getState();
    }
    try (Sequential m = model(0.05)) {
      m.fit(d[0], d[1], quiet().epochs(3).batchSize(8)
          .callbacks(new ModelCheckpoint(dir + "/e{epoch}.safetensors")).build());
    }
    try (Sequential resumed = ModelFiles.load(dir.resolve("e2.safetensors"), bp)) {
      resumed.fit(d[0], d[1], quiet().epochs(1).batchSize(8).build());
      assertThat(resumed.getState()).isEqualTo(uninterrupted);
    }
  }

  @Test
  void bestOnlyCheckpointHoldsTheWeightsEarlyStoppingRestores() throws IOException {
    Tensor[] train = data(32, 3);
    Tensor[] val = data(16, 4);
    ModelCheckpoint checkpoint = ModelCheckpoint.builder(dir + "/best-{epoch:02d}.safetensors")
        .monitor("val_loss").saveBestOnly(true).build();
    EarlyStopping stopping = new EarlyStopping("val_loss", 0, 1, true);
    // A learning rate this large diverges after the first epoch: the best epoch is the first.
    try (Sequential m = model(3.0)) {
      History h = m.fit(train[0], train[1], quiet().epochs(10).batchSize(4)
          .validationData(val[0], val[1]).callbacks(checkpoint, stopping).build());

      assertThat(h.history().get("val_loss")).hasSizeLessThan(10);
      assertThat(files()).containsExactly("best-01.safetensors");
      assertThat(checkpoint.lastSaved()).isEqualTo(dir.resolve("best-01.safetensors"));
      assertThat(checkpoint.best()).isEqualTo(h.history().get("val_loss").get(0));
      assertThat(ModelFiles.read(checkpoint.lastSaved()).parameters())
          .isEqualTo(m.getWeights());
    }
  }

  @Test
  void bestOnlyFollowsImprovementsAndMaxModeForAccuracy() throws IOException {
    Tensor[] d = data(32, 5);
    ModelCheckpoint checkpoint = ModelCheckpoint.builder(dir + "/w{epoch}.safetensors")
        .monitor("loss").saveBestOnly(true).mode(ModelCheckpoint.Mode.MAX).saveWeightsOnly(true)
        .build();
    try (Sequential m = model(0.05)) {
      History h = m.fit(d[0], d[1], quiet().epochs(4).batchSize(8).callbacks(checkpoint)
          .build());
      // mode MAX on a falling loss: only the first epoch is ever "best".
      assertThat(h.history().get("loss")).isSortedAccordingTo((a, b) -> Double.compare(b, a));
      assertThat(files()).containsExactly("w1.safetensors");
      Sequential fresh = model(0.05);
      ModelFiles.loadWeights(fresh, dir.resolve("w1.safetensors"));
      assertThat(fresh.getWeights()).isNotEqualTo(m.getWeights());
      fresh.close();
    }
  }

  @Test
  void aMissingMonitoredKeySkipsTheSave() throws IOException {
    Tensor[] d = data(16, 6);
    try (Sequential m = model(0.05)) {
      m.fit(d[0], d[1], quiet().epochs(2).batchSize(8).callbacks(ModelCheckpoint.builder(
          dir + "/b.safetensors").saveBestOnly(true).build()).build());
    }
    assertThat(files()).isEmpty();
  }
}
