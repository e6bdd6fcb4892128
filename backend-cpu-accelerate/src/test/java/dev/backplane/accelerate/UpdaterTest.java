package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The optimizer driver's flush of tiny (would-be subnormal) slot values. */
class UpdaterTest {
  @Test
  void flushZeroesOnlyTinyValues() {
    float[] x = {1e-31f, -1e-35f, 1e-40f, 0f, 1e-29f, -1f, Float.MIN_NORMAL, 7.8e-31f, 8e-31f};
    Flush.tiny(x, x.length);
    assertThat(x).containsExactly(0f, 0f, 0f, 0f, 1e-29f, -1f, 0f, 0f, 8e-31f);
    assertThat(Float.floatToRawIntBits(x[1])).as("a flushed negative value is +0").isZero();
  }

  @Test
  void flushKeepsNonFiniteAndJustLargerValuesExactly() {
    float justAbove = Math.nextUp(Flush.TINY);
    float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, justAbove,
        -justAbove, Flush.TINY, Math.nextDown(Flush.TINY), Float.MAX_VALUE, -3.5f};
    Flush.tiny(x, x.length);
    assertThat(x).containsExactly(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        justAbove, -justAbove, Flush.TINY, 0f, Float.MAX_VALUE, -3.5f);
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void slotsOfParametersWithoutGradientNeverGoSubnormal(String mode) {
    // Inputs of zero give the kernel a zero gradient: Adam's m decays by 0.9 a step from the
    // value it had and would pass through the subnormal range around step 800.
    ModelSpec spec = Fixtures.spec(4, Loss.MEAN_SQUARED_ERROR, new Adam(0.01), 1,
        new Dense(8).withoutBias());
    Tensor x = Fixtures.uniform(1, 16, 4, 0.5, 1);
    Tensor zeros = Tensor.zeros(16, 4);
    Tensor y = Fixtures.uniform(2, 16, 8, -1, 1);
    float[] out = new float[16 * 8];
    try (AccelerateBackend backend = Fixtures.backend(mode, 1);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      exe.trainStep(x, y, out);
      boolean sawTiny = false;
      for (int step = 0; step < 1200; step++) {
        exe.trainStep(zeros, y, out);
        ModelState s = exe.snapshot();
        for (float v : s.slot("l0/kernel/m").values()) {
          assertThat(Math.abs(v) >= Float.MIN_NORMAL || v == 0).as("m = %s at step %d", v, step)
              .isTrue();
          sawTiny |= v != 0 && Math.abs(v) < 1e-25f;
        }
      }
      assertThat(sawTiny).as("m decayed into the range the flush guards").isTrue();
    }
  }
}
