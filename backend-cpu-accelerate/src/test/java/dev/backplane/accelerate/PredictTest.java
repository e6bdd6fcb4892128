package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Inference: equal to evaluation, chunked for large inputs, safe from many threads at once. */
class PredictTest {
  private static final ModelSpec SPEC = Fixtures.spec(24, Loss.CATEGORICAL_CROSSENTROPY,
      new Adam(0.01), 4, new Dense(40, "relu"), new Dropout(0.5), new Dense(6, "softmax"));

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void predictEqualsEvaluateAndIgnoresDropout(String mode) {
    Tensor x = Fixtures.uniform(1, 30, 24, -1, 1);
    Tensor y = Fixtures.labels(2, 30, 6, SPEC.loss());
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE)) {
      float[] trainOut = new float[180];
      exe.trainStep(x, y, trainOut);
      float[] evaluated = new float[180];
      exe.evaluateStep(x, y, evaluated);
      float[] predicted = new float[180];
      exe.predict(x, predicted);
      assertThat(predicted).containsExactly(evaluated);
      assertThat(trainOut).isNotEqualTo(evaluated);
      float[] again = new float[180];
      exe.predict(x, again);
      assertThat(again).containsExactly(predicted);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void largeInputsArePredictedInChunksWithTheSameResult(String mode) {
    int rows = AccelerateExecutable.PREDICT_CHUNK * 2 + 37;
    Tensor x = Fixtures.uniform(3, rows, 24, -1, 1);
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE)) {
      float[] all = new float[rows * 6];
      exe.predict(x, all);
      for (int r : new int[] {0, AccelerateExecutable.PREDICT_CHUNK - 1,
          AccelerateExecutable.PREDICT_CHUNK, rows - 1}) {
        float[] one = new float[6];
        exe.predict(x.rows(r, r + 1), one);
        // Kernels may group sums differently for another batch size: equal up to round-off.
        for (int j = 0; j < 6; j++) {
          assertThat(all[r * 6 + j]).as("row %d output %d", r, j)
              .isCloseTo(one[j], org.assertj.core.api.Assertions.within(1e-6f));
        }
      }
      exe.predict(x.rows(0, 0), new float[0]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void concurrentPredictionsAgreeWithASingleThread(String mode) throws Exception {
    Tensor x = Fixtures.uniform(5, 300, 24, -1, 1);
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE)) {
      Fixtures.train(exe, x.rows(0, 32), Fixtures.labels(6, 32, 6, SPEC.loss()), 6, 3);
      float[] expected = new float[300 * 6];
      exe.predict(x, expected);
      ExecutorService threads = Executors.newFixedThreadPool(8);
      try {
        List<Future<float[]>> results = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
          results.add(threads.submit(() -> {
            float[] out = new float[300 * 6];
            exe.predict(x, out);
            return out;
          }));
        }
        for (Future<float[]> f : results) {
          assertThat(f.get()).containsExactly(expected);
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }
}
