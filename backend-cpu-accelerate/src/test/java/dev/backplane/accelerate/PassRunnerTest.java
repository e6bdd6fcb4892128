package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a compiled program's work is cut over the compute pool (what the per-layer PassRunner did
 * before the graph compiler): steps large enough to split (fused element-wise row programs, row
 * and column reductions, softmax) give the same bits on one thread and on two.
 */
class PassRunnerTest {
  // Native BLAS products may round differently per thread count; the split steps are ours.
  @ParameterizedTest
  @ValueSource(strings = {"java"})
  void splitStepsGiveTheSameBitsOnAnyThreadCount(String mode) {
    ModelSpec spec = Fixtures.spec(64, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(1e-3), 9,
        new Dense(384, "relu"), new Dropout(0.2), new Dense(256, "tanh"), new Dense(10, "softmax"));
    Tensor x = Fixtures.uniform(1, 200, 64, -1, 1);
    Tensor y = Fixtures.labels(2, 200, 10, spec.loss());
    float[][] params = new float[2][];
    double[][] losses = new double[2][];
    for (int t = 1; t <= 2; t++) {
      try (AccelerateBackend backend = Fixtures.backend(mode, t);
          Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
        losses[t - 1] = Fixtures.train(exe, x, y, 10, 4);
        params[t - 1] = Fixtures.flatParameters(exe.snapshot());
      }
    }
    assertThat(losses[1]).containsExactly(losses[0]);
    assertThat(params[1]).containsExactly(params[0]);
  }
}
