package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Device;
import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Inference: same as evaluation, thread-safe, and row-major for multi-axis inputs. */
class PredictTest {
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(2, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  private static ModelSpec grid() {
    return ModelSpec.create("grid", new int[] {4, 3},
        List.of(new Flatten("flatten"), new Dense(8, Activation.GELU).withName("dense"),
            new Dense(3, Activation.SOFTMAX).withName("dense_1")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 9);
  }

  private static Tensor inputs(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[rows * 12];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return Tensor.wrap(x, rows, 4, 3);
  }

  @Test
  void predictMatchesEvaluationAndTheFloat64Reference() {
    Tensor x = inputs(5, 1);
    Tensor y = Tensor.ofLabels(new int[] {0, 1, 2, 1, 0});
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, grid())) {
      float[] predicted = new float[15];
      float[] evaluated = new float[15];
      e.predict(x, predicted);
      double loss = e.evaluateStep(x, y, evaluated);
      assertThat(predicted).containsExactly(evaluated);
      InterpreterExecutable reference = new InterpreterExecutable(grid(),
          Device.cpu("interpreter", 0));
      float[] expected = new float[15];
      double expectedLoss = reference.evaluateStep(x, y, expected);
      for (int i = 0; i < 15; i++) {
        assertThat(predicted[i]).isCloseTo(expected[i], within(1e-6f));
      }
      assertThat(loss).isCloseTo(expectedLoss, within(1e-5 * expectedLoss));
      assertThat(e.snapshot().iterations()).isZero();
    }
  }

  @Test
  void aWholeDataSetInOneCallMatchesBatches() {
    // 4200 x 1000 inputs exceed the cached-tensor limit, so this takes the one-shot path.
    ModelSpec spec = ModelSpec.create("wide", new int[] {1000},
        List.of(new Dense(1, Activation.LINEAR).withName("dense")), Loss.MEAN_SQUARED_ERROR,
        new Adam(), 3);
    Tensor[] data = CrossBackendComparison.regressionData(4200, 1000, 5);
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec)) {
      float[] all = new float[4200];
      double whole = e.evaluateStep(data[0], data[1], all);
      double sum = 0;
      float[] part = new float[600];
      for (int from = 0; from < 4200; from += 600) {
        sum += e.evaluateStep(data[0].rows(from, from + 600), data[1].rows(from, from + 600),
            part);
        for (int i = 0; i < 600; i++) {
          assertThat(part[i]).isEqualTo(all[from + i]);
        }
      }
      assertThat(whole).isCloseTo(sum, within(1e-5 * sum));
    }
  }

  @Test
  void predictIsThreadSafe() throws Exception {
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, grid())) {
      List<Tensor> batches = new ArrayList<>();
      List<float[]> expected = new ArrayList<>();
      for (int b = 0; b < 8; b++) {
        Tensor x = inputs(3 + b, 100 + b);
        float[] out = new float[x.rows() * 3];
        e.predict(x, out);
        batches.add(x);
        expected.add(out);
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          results.add(pool.submit(() -> {
            for (int round = 0; round < 25; round++) {
              for (int b = 0; b < batches.size(); b++) {
                float[] out = new float[batches.get(b).rows() * 3];
                e.predict(batches.get(b), out);
                if (!java.util.Arrays.equals(out, expected.get(b))) {
                  return false;
                }
              }
            }
            return true;
          }));
        }
        for (Future<Boolean> f : results) {
          assertThat(f.get()).isTrue();
        }
      } finally {
        pool.shutdown();
      }
    }
  }
}
