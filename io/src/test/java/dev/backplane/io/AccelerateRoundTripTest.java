package dev.backplane.io;

import static dev.backplane.io.ModelFilesTest.data;
import static dev.backplane.io.ModelFilesTest.quiet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.io.keras.ImportedModel;
import dev.backplane.io.keras.KerasConfigs;
import dev.backplane.io.keras.KerasFiles;
import dev.backplane.io.keras.KerasFiles.LayerWeights;
import dev.backplane.io.keras.KerasModels;
import dev.backplane.io.testing.MiniProvider;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.EarlyStopping;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save, load, resume and Keras import on the real CPU backend (pure-Java kernels, one thread),
 * compared with the test reference executable where backends differ.
 */
class AccelerateRoundTripTest {
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

  private Sequential model(double dropout) {
    Sequential m = new Sequential("clf", new int[] {3}, new Dense(16, "relu"),
        new Dropout(dropout), new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder().optimizer(new Adam(0.02)).loss("binary_crossentropy")
        .metrics("accuracy").backplane(accelerate).seed(3).build());
    return m;
  }

  @Test
  void resumeWithDropoutAndAdamEqualsUninterruptedTraining() {
    Tensor[] d = data(64, 8);
    ModelState uninterrupted;
    try (Sequential m = model(0.3)) {
      m.fit(d[0], d[1], quiet().epochs(4).batchSize(16).build());
      uninterrupted = m.getState();
    }
    Path file = dir.resolve("half.safetensors");
    try (Sequential m = model(0.3)) {
      m.fit(d[0], d[1], quiet().epochs(2).batchSize(16).build());
      ModelFiles.save(m, file);
    }
    try (Sequential resumed = ModelFiles.load(file, accelerate)) {
      assertThat(resumed.device().toString()).isEqualTo("accelerate:cpu:0");
      resumed.fit(d[0], d[1], quiet().epochs(2).batchSize(16).build());
      assertThat(resumed.getState()).isEqualTo(uninterrupted);
    }
  }

  @Test
  void aModelTrainedOnAccelerateLoadsAndPredictsTheSameOnAnotherBackend() {
    Tensor[] d = data(64, 9);
    Path file = dir.resolve("trained.safetensors");
    float[] expected;
    try (Sequential m = model(0.0)) {
      m.fit(d[0], d[1], quiet().epochs(3).batchSize(16).build());
      expected = m.predict(d[0]).toArray();
      ModelFiles.save(m, file);
    }
    try (Sequential loaded = ModelFiles.load(file, mini)) {
      assertThat(loaded.device().toString()).isEqualTo("mini:cpu:0");
      float[] actual = loaded.predict(d[0]).toArray();
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
      }
    }
  }

  @Test
  void checkpointAndEarlyStoppingOnARealBackend() {
    Tensor[] train = data(64, 10);
    Tensor[] val = data(32, 11);
    ModelCheckpoint best = ModelCheckpoint.builder(dir + "/best.safetensors")
        .saveBestOnly(true).build();
    try (Sequential m = model(0.0)) {
      m.fit(train[0], train[1], quiet().epochs(15).batchSize(16)
          .validationData(val[0], val[1])
          .callbacks(best, new EarlyStopping("val_loss", 0, 2, true)).build());
      assertThat(ModelFiles.read(best.lastSaved()).parameters()).isEqualTo(m.getWeights());
      assertThat(best.best()).isEqualTo(m.evaluate(val[0], val[1]).get("loss"),
          within(1e-6));
    }
  }

  @Test
  void importedKerasModelsPredictTheSameOnAccelerateAsOnTheReference() throws Exception {
    Path h5 = dir.resolve("model.h5");
    float[][] k1 = new float[4][8];
    float[][] k2 = new float[8][3];
    for (int i = 0; i < 32; i++) {
      k1[i / 8][i % 8] = (float) Math.sin(i);
    }
    for (int i = 0; i < 24; i++) {
      k2[i / 3][i % 3] = (float) Math.cos(i);
    }
    KerasFiles.kerasH5Model(h5, KerasConfigs.keras26(), KerasConfigs.TRAINING_26,
        List.of("dense", "dropout", "leaky_re_lu", "dense_1", "softmax"),
        List.of(LayerWeights.of("dense", k1, new float[8]),
            LayerWeights.of("dense_1", k2, new float[] {0.1f, 0.2f, 0.3f})));
    Path archive = dir.resolve("model.keras");
    float[][] hidden = new float[6][4];
    float[][] logits = new float[4][2];
    for (int i = 0; i < 24; i++) {
      hidden[i / 4][i % 4] = (float) Math.sin(3 * i);
    }
    for (int i = 0; i < 8; i++) {
      logits[i / 2][i % 2] = (float) Math.cos(5 * i);
    }
    KerasFiles.kerasArchive(archive, KerasConfigs.KERAS_3, Map.of(
        "dense", List.of(hidden, new float[] {-0.5f, 0, 0.5f, 1}),
        "dense_1", List.of(logits, new float[] {0, 1})));
    float[] flat = new float[20 * 4];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) Math.sin(7 * i) * 2;
    }
    assertSamePredictions(h5, Tensor.of(flat, 20, 4));
    float[] six = new float[20 * 6];
    for (int i = 0; i < six.length; i++) {
      six[i] = (float) Math.cos(11 * i) * 2;
    }
    assertSamePredictions(archive, Tensor.of(six, 20, 2, 3));
  }

  private void assertSamePredictions(Path file, Tensor x) {
    ImportedModel imported = KerasModels.read(file);
    try (Sequential onAccelerate = KerasModels.toSequential(file, imported, accelerate);
        Sequential onReference = KerasModels.toSequential(file, imported, mini)) {
      assertThat(onAccelerate.device().toString()).isEqualTo("accelerate:cpu:0");
      float[] a = onAccelerate.predict(x).toArray();
      float[] b = onReference.predict(x).toArray();
      for (int i = 0; i < a.length; i++) {
        assertThat(a[i]).as("%s output %d", file.getFileName(), i).isCloseTo(b[i],
            within(1e-5f));
      }
    }
  }
}
