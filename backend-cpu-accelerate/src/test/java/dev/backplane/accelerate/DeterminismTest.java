package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Same seed, same backend: the same bits, dropout included. */
class DeterminismTest {
  private static ModelSpec spec(long seed) {
    // 96 rows of 192 and 96 units are enough element-wise work to be split over two threads
    // (PassRunner.PARALLEL_ELEMENTS), so the thread-count test covers the split row passes.
    return Fixtures.spec(64, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(0.005), seed,
        new Dense(192, "relu"), new Dropout(0.3), new Dense(96, "gelu"), new Dropout(0.1),
        new Dense(10, "softmax"));
  }

  private record Run(double[] losses, float[] outputs, ModelState state) {}

  private static Run run(AccelerateBackend backend, ModelSpec spec) {
    Tensor x = Fixtures.uniform(3, 96, 64, -1, 1);
    Tensor y = Fixtures.labels(4, 96, 10, spec.loss());
    float[] out = new float[96 * 10];
    double[] losses = new double[15];
    try (Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      for (int s = 0; s < losses.length; s++) {
        losses[s] = exe.trainStep(x, y, out);
      }
      return new Run(losses, out, exe.snapshot());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void twoRunsGiveIdenticalBits(String mode) {
    try (AccelerateBackend backend = Fixtures.backend(mode, 2)) {
      Run a = run(backend, spec(5));
      Run b = run(backend, spec(5));
      assertThat(b.losses()).containsExactly(a.losses());
      assertThat(b.outputs()).containsExactly(a.outputs());
      assertThat(b.state()).isEqualTo(a.state());
    }
    try (AccelerateBackend other = Fixtures.backend(mode, 2)) {
      assertThat(run(other, spec(5)).losses()).containsExactly(run(other, spec(5)).losses());
    }
  }

  @Test
  void anotherSeedGivesAnotherRun() {
    try (AccelerateBackend backend = Fixtures.backend("java", 2)) {
      assertThat(run(backend, spec(6)).losses()).isNotEqualTo(run(backend, spec(5)).losses());
    }
  }

  @Test
  void javaKernelsGiveTheSameBitsOnAnyThreadCount() {
    Run one;
    Run two;
    try (AccelerateBackend backend = Fixtures.backend("java", 1)) {
      one = run(backend, spec(8));
    }
    try (AccelerateBackend backend = Fixtures.backend("java", 2)) {
      two = run(backend, spec(8));
    }
    assertThat(two.losses()).containsExactly(one.losses());
    assertThat(two.state()).isEqualTo(one.state());
  }
}
