package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.io.testing.MiniProvider;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.FitOptions;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  @TempDir Path dir;

  private final Backplane first = MiniProvider.backplane("mini-a");
  private final Backplane second = MiniProvider.backplane("mini-b");

  @AfterEach
  void close() {
    first.close();
    second.close();
  }

  static Tensor[] data(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 3];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] = (float) r.nextDouble(-1, 1);
        s += x[i * 3 + j] * (j + 1);
      }
      y[i] = s > 0 ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, n, 3), Tensor.wrap(y, n, 1)};
  }

  static FitOptions.Builder quiet() {
    return FitOptions.builder().verbose(Verbosity.SILENT).shuffle(false)
        .output(new PrintStream(new ByteArrayOutputStream()));
  }

  private Sequential model(Backplane bp, boolean adam) {
    Sequential m = new Sequential("clf", new int[] {3}, new Dense(6, "tanh"), new Dropout(0.0),
        new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder().optimizer(adam ? new Adam(0.05) : new SGD(0.1, 0.9, true))
        .loss("binary_crossentropy").metrics("accuracy").backplane(bp).seed(11).build());
    return m;
  }

  @Test
  void savedModelPredictsTheSameOnAnotherBackend() {
    Tensor[] d = data(40, 1);
    Path file = dir.resolve("model.safetensors");
    try (Sequential m = model(first, true)) {
      m.fit(d[0], d[1], quiet().epochs(3).batchSize(8).build());
      ModelFiles.save(m, file);
      try (Sequential loaded = ModelFiles.load(file, second)) {
        assertThat(loaded.device().toString()).isEqualTo("mini-b:cpu:0");
        assertThat(loaded.name()).isEqualTo("clf");
        assertThat(loaded.layers()).isEqualTo(m.layers());
        assertThat(loaded.optimizer()).isEqualTo(new Adam(0.05));
        assertThat(loaded.loss()).isEqualTo(m.loss());
        assertThat(loaded.metrics()).isEqualTo(m.metrics());
        assertThat(loaded.seed()).isEqualTo(11);
        assertThat(loaded.getState()).isEqualTo(m.getState());
        assertThat(loaded.predict(d[0]).toArray()).containsExactly(m.predict(d[0]).toArray());
      }
    }
  }

  @Test
  void resumingFromASaveWithOptimizerStateEqualsUninterruptedTraining() {
    for (boolean adam : new boolean[] {true, false}) {
      Tensor[] d = data(32, 2);
      Path file = dir.resolve("resume.safetensors");
      ModelState uninterrupted;
      try (Sequential m = model(first, adam)) {
        m.fit(d[0], d[1], quiet().epochs(4).batchSize(8).build());
        uninterrupted = m.getState();
      }
      try (Sequential m = model(first, adam)) {
        m.fit(d[0], d[1], quiet().epochs(2).batchSize(8).build());
        ModelFiles.save(m, file, true);
      }
      try (Sequential resumed = ModelFiles.load(file, second)) {
        assertThat(resumed.getState().iterations()).isEqualTo(8);
        resumed.fit(d[0], d[1], quiet().epochs(2).batchSize(8).build());
        assertThat(resumed.getState()).as(adam ? "adam" : "sgd nesterov")
            .isEqualTo(uninterrupted);
      }
    }
  }

  @Test
  void withoutOptimizerStateTheOptimizerStartsFresh() {
    Tensor[] d = data(32, 3);
    Path file = dir.resolve("no-opt.safetensors");
    try (Sequential m = model(first, true)) {
      m.fit(d[0], d[1], quiet().epochs(1).batchSize(8).build());
      ModelFiles.save(m, file, false);
      try (Sequential loaded = ModelFiles.load(file, first)) {
        assertThat(loaded.isCompiled()).isTrue();
        assertThat(loaded.getWeights()).isEqualTo(m.getWeights());
        assertThat(loaded.getState().iterations()).isZero();
        assertThat(loaded.getState().slots()).allSatisfy(s -> assertThat(s.values())
            .containsOnly(0f));
      }
    }
  }

  @Test
  void anUncompiledModelLoadsUncompiledWithItsWeights() {
    Path file = dir.resolve("raw.safetensors");
    Sequential m = new Sequential(new int[] {3}, new Dense(2, "relu"));
    List<NamedArray> weights = List.of(
        new NamedArray("dense/kernel", new int[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6}),
        new NamedArray("dense/bias", new int[] {2}, new float[] {-1, 1}));
    m.setWeights(weights);
    ModelFiles.save(m, file);

    Sequential loaded = ModelFiles.load(file, first);

    assertThat(loaded.isCompiled()).isFalse();
    assertThat(loaded.getWeights()).isEqualTo(weights);
    assertThat(ModelFiles.read(file).config().seed()).isEmpty();
  }

  @Test
  void weightsOnlyFilesLoadIntoAMatchingModelAndNothingElse() {
    Path file = dir.resolve("w.safetensors");
    try (Sequential m = model(first, true); Sequential other = model(first, false)) {
      m.fit(data(16, 4)[0], data(16, 4)[1], quiet().epochs(1).batchSize(8).build());
      ModelFiles.saveWeights(m, file);
      ModelFiles.loadWeights(other, file);
      assertThat(other.getWeights()).isEqualTo(m.getWeights());

      Sequential wider = new Sequential("clf", new int[] {3}, new Dense(7, "tanh"),
          new Dense(1, "sigmoid"));
      List<NamedArray> before = wider.getWeights();
      assertThatThrownBy(() -> ModelFiles.loadWeights(wider, file))
          .isInstanceOf(ModelFileException.class).hasMessage(file + ": parameter 'dense/kernel'"
              + " has shape [3, 6] but the architecture needs [3, 7]");
      assertThat(wider.getWeights()).isEqualTo(before);
    }
  }

  @Test
  void aCorruptFileNamesTheFileAndBuildsNothing() throws IOException {
    Path file = dir.resolve("model.safetensors");
    try (Sequential m = model(first, true)) {
      ModelFiles.save(m, file);
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));
    assertThatThrownBy(() -> ModelFiles.load(file, first))
        .isInstanceOf(ModelFileException.class)
        .hasMessage(file + ": tensor 'optimizer/dense_1/kernel/v': data_offsets [340, 364] are"
            + " not inside the data section of 362 bytes");
    assertThatThrownBy(() -> ModelFiles.load(dir.resolve("missing.safetensors"), first))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(dir.resolve("missing.safetensors") + ": cannot read the file:"
            + " java.nio.file.NoSuchFileException");
  }

  @Test
  void savingIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("sub/model.safetensors");
    try (Sequential m = model(first, true)) {
      ModelFiles.save(m, file);
      ModelFiles.save(m, file);
    }
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
    }
  }
}
