package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keras's sample weights on this backend: the weight is the labels' last column of a
 * {@link Loss#withSampleWeights()} program. Hand-computed Keras values for a linear model, and
 * a weighted sparse classifier against the float64 interpreter.
 */
class SampleWeightTest {
  private static AccelerateBackend java;
  private static AccelerateBackend nativeBlas;

  @BeforeAll
  static void open() {
    java = Fixtures.backend("java", 1);
    nativeBlas = Fixtures.backend("native", 1);
  }

  @AfterAll
  static void close() {
    java.close();
    nativeBlas.close();
  }

  private static AccelerateBackend backend(String mode) {
    return mode.equals("java") ? java : nativeBlas;
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void weightedMseStepAsKeras(String mode) {
    ModelSpec base = Fixtures.spec(2, Loss.MEAN_SQUARED_ERROR.withSampleWeights(), new SGD(0.1),
        1, new Dense(1));
    ModelState state = base.initialState().copy();
    System.arraycopy(new float[] {0.5f, -0.25f}, 0, state.parameters().get(0).values(), 0, 2);
    state.parameters().get(1).values()[0] = 0.1f;
    ModelSpec spec = new ModelSpec(base.name(), base.inputShape(), base.layers(), base.loss(),
        base.optimizer(), base.seed(), state);
    Tensor x = Tensor.of(new float[][] {{1, 2}, {3, -1}, {0, 1}, {2, 2}});
    // labels, then each sample's weight
    Tensor y = Tensor.of(new float[][] {{1, 1}, {0, 2}, {2, 0.5f}, {-1, 0}});
    float[] out = new float[4];
    try (Executable exe = backend(mode).compile(spec, AccelerateBackend.DEVICE)) {
      // squared errors 0.81, 3.4225, 4.6225, 2.56 weighted by 1, 2, 0.5, 0
      assertThat(exe.evaluateStep(x, y, out)).isCloseTo(9.96625, within(1e-5));
      assertThat(exe.trainStep(x, y, out)).isCloseTo(9.96625, within(1e-5));
      ModelState after = exe.snapshot();
      float[] k = after.parameters().get(0).values();
      assertThat((double) k[0]).isCloseTo(-0.01, within(1e-6));
      assertThat((double) k[1]).isCloseTo(0.07875, within(1e-6));
      assertThat((double) after.parameters().get(1).values()[0]).isCloseTo(0.01375,
          within(1e-6));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void weightedSparseClassifierMatchesTheInterpreter(String mode) {
    Loss loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY.withSampleWeights();
    ModelSpec spec = Fixtures.spec(3, loss, new SGD(0.05), 9, new Dense(5, "relu"),
        new Dense(3, "softmax"));
    Tensor x = Fixtures.uniform(4, 6, 3, -1, 1);
    Tensor y = Tensor.of(new float[][] {{0, 1}, {2, 0.5f}, {1, 2}, {2, 0}, {0, 3}, {1, 1}});
    float[] out = new float[18];
    float[] ref = new float[18];
    try (Executable exe = backend(mode).compile(spec, AccelerateBackend.DEVICE);
        Executable interp = new InterpreterExecutable(spec, AccelerateBackend.DEVICE)) {
      for (int step = 0; step < 3; step++) {
        double a = exe.trainStep(x, y, out);
        double b = interp.trainStep(x, y, ref);
        assertThat(a).as("loss of step %d", step).isCloseTo(b, within(1e-5 * Math.abs(b)));
      }
      Tensor bad = Tensor.of(new float[][] {{0, 1}, {3, 1}, {1, 1}, {2, 1}, {0, 1}, {1, 1}});
      assertThatThrownBy(() -> exe.trainStep(x, bad, out))
          .hasMessageContaining("Sparse label 3.0 of sample 1");
    }
  }
}
