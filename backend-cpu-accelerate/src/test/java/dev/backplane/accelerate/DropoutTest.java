package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Inverted dropout: training only, scaled by 1/(1 - rate), masks from seed and iteration. */
class DropoutTest {
  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void dropsAboutRateAndScalesTheRest(String mode) {
    ModelSpec spec = Fixtures.spec(8, Loss.MEAN_SQUARED_ERROR, new SGD(1e-9), 3, new Dense(64),
        new Dropout(0.25));
    Tensor x = Fixtures.uniform(1, 50, 8, 0.5, 1);
    Tensor y = Fixtures.uniform(2, 50, 64, 0, 1);
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      float[] plain = new float[50 * 64];
      exe.predict(x, plain);
      float[] first = new float[50 * 64];
      exe.trainStep(x, y, first);
      int dropped = 0;
      float scale = (float) (1 / 0.75);
      for (int i = 0; i < plain.length; i++) {
        if (first[i] == 0) {
          dropped++;
        } else {
          assertThat(first[i]).isEqualTo(plain[i] * scale);
        }
      }
      assertThat(dropped / (double) plain.length).isBetween(0.22, 0.28);
      float[] second = new float[50 * 64];
      exe.trainStep(x, y, second);
      assertThat(second).as("the next iteration draws another mask").isNotEqualTo(first);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void droppedUnitsGetNoGradient(String mode) {
    ModelSpec spec = Fixtures.spec(3, Loss.MEAN_SQUARED_ERROR, new SGD(1.0), 5,
        new Dense(16).withoutBias(), new Dropout(0.5), new Dense(1));
    Tensor x = Tensor.of(new float[] {1, -1, 0.5f}, 1, 3);
    Tensor y = Tensor.of(new float[] {10}, 1, 1);
    try (AccelerateBackend backend = Fixtures.backend(mode, 1);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      float[] before = exe.snapshot().parameter("l0/kernel").values();
      float[] hidden = new float[1];
      exe.trainStep(x, y, hidden);
      ModelState after = exe.snapshot();
      float[] kernel = after.parameter("l0/kernel").values();
      float[] outKernel = spec.initialState().parameter("l2/kernel").values();
      float[] outKernelAfter = after.parameter("l2/kernel").values();
      int unchanged = 0;
      for (int unit = 0; unit < 16; unit++) {
        boolean dropped = outKernelAfter[unit] == outKernel[unit];
        for (int in = 0; in < 3; in++) {
          boolean same = kernel[in * 16 + unit] == before[in * 16 + unit];
          assertThat(same).as("unit %d input %d", unit, in).isEqualTo(dropped);
        }
        unchanged += dropped ? 1 : 0;
      }
      assertThat(unchanged).isBetween(2, 14);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void masksMatchTheInterpreterExactly(String mode) {
    // Masks come from random_uniform: 24-bit uniforms, kept where u >= rate. Dropout last, so
    // the training output is zero exactly where the mask dropped a unit.
    ModelSpec spec = Fixtures.spec(8, Loss.MEAN_SQUARED_ERROR, new SGD(0.01), 5, new Dense(32),
        new Dropout(0.3));
    Tensor x = Fixtures.uniform(1, 40, 8, 0.5, 1);
    Tensor y = Fixtures.uniform(2, 40, 32, 0, 1);
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE);
        InterpreterExecutable ref = new InterpreterExecutable(spec, AccelerateBackend.DEVICE)) {
      float[] out = new float[40 * 32];
      float[] want = new float[40 * 32];
      for (int step = 0; step < 3; step++) {
        exe.trainStep(x, y, out);
        ref.trainStep(x, y, want);
        for (int i = 0; i < out.length; i++) {
          assertThat(out[i] == 0).as("step %d element %d", step, i).isEqualTo(want[i] == 0);
          assertThat((double) out[i]).isCloseTo(want[i], org.assertj.core.api.Assertions.within(
              1e-4 * Math.max(1, Math.abs(want[i]))));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void rateZeroIsTheIdentity(String mode) {
    ModelSpec spec = Fixtures.spec(8, Loss.MEAN_SQUARED_ERROR, new SGD(1e-9), 3, new Dense(16),
        new Dropout(0));
    Tensor x = Fixtures.uniform(1, 10, 8, -1, 1);
    try (AccelerateBackend backend = Fixtures.backend(mode, 1);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      float[] plain = new float[160];
      exe.predict(x, plain);
      float[] train = new float[160];
      exe.trainStep(x, Fixtures.uniform(2, 10, 16, 0, 1), train);
      assertThat(train).containsExactly(plain);
    }
  }
}
