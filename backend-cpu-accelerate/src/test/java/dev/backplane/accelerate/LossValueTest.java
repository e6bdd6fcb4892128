package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loss values against an independent double-precision evaluation of the formulas in
 * {@link Loss}'s javadoc, on the outputs the backend returned; includes saturated outputs where
 * the clip decides the value.
 */
class LossValueTest {
  private static final double EPS = 1e-7;

  static Stream<Arguments> cases() {
    Object[][] losses = {
        {Loss.BINARY_CROSSENTROPY, Activation.SIGMOID},
        {Loss.BINARY_CROSSENTROPY.withFromLogits(), Activation.LINEAR},
        {Loss.CATEGORICAL_CROSSENTROPY, Activation.SOFTMAX},
        {Loss.CATEGORICAL_CROSSENTROPY, Activation.SIGMOID},
        {Loss.CATEGORICAL_CROSSENTROPY.withFromLogits(), Activation.LINEAR},
        {Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Activation.SOFTMAX},
        {Loss.SPARSE_CATEGORICAL_CROSSENTROPY.withFromLogits(), Activation.LINEAR},
        {Loss.MEAN_SQUARED_ERROR, Activation.LINEAR},
        {Loss.MEAN_ABSOLUTE_ERROR, Activation.TANH}};
    List<Arguments> args = new ArrayList<>();
    for (String mode : List.of("java", "native")) {
      for (Object[] c : losses) {
        for (double scale : new double[] {1, 40}) {
          args.add(Arguments.of(mode, c[0], c[1], scale));
        }
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{1} after {2}, inputs ×{3}, on {0}")
  @MethodSource("cases")
  void matchesTheFormula(String mode, Loss loss, Activation last, double scale) {
    ModelSpec spec = Fixtures.spec(5, loss, new SGD(), 31, new Dense(4, last));
    // Scale 40 saturates sigmoid and softmax, so probabilities hit the clip.
    Tensor x = Fixtures.uniform(7, 20, 5, -scale, scale);
    Tensor y = Fixtures.labels(8, 20, 4, loss);
    float[] out = new float[80];
    try (AccelerateBackend backend = Fixtures.backend(mode, 1);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      double sum = exe.evaluateStep(x, y, out);
      double expected = 0;
      for (int r = 0; r < 20; r++) {
        expected += reference(loss, out, r * 4, y, r);
      }
      assertThat(Double.isFinite(sum)).isTrue();
      // The program computes in float32 (the old per-layer kernel summed in float64): a few ulps.
      assertThat(sum).isCloseTo(expected, within(2e-6 * (1 + Math.abs(expected))));
    }
  }

  private static double target(Loss loss, Tensor y, int r, int j) {
    if (loss.sparseLabels()) {
      return y.get(r, 0) == j ? 1 : 0;
    }
    return y.get(r, j);
  }

  /** Keras's clip: epsilon and 1 - epsilon as float32 values (the program computes in float32). */
  private static double clip(double p) {
    return Math.min(Math.max(p, (float) EPS), (float) (1 - EPS));
  }

  /** One sample's loss, straight from the definitions. */
  private static double reference(Loss loss, float[] out, int at, Tensor y, int r) {
    double sum = 0;
    switch (loss.type()) {
      case BINARY_CROSSENTROPY:
        for (int j = 0; j < 4; j++) {
          double t = target(loss, y, r, j);
          double o = out[at + j];
          sum += loss.fromLogits() ? Math.max(o, 0) - o * t + Math.log(1 + Math.exp(-Math.abs(o)))
              : -(t * Math.log(clip(o)) + (1 - t) * Math.log(1 - clip(o)));
        }
        return sum / 4;
      case CATEGORICAL_CROSSENTROPY:
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        double total = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < 4; j++) {
          total += out[at + j];
          max = Math.max(max, out[at + j]);
        }
        double lse = 0;
        for (int j = 0; j < 4; j++) {
          lse += Math.exp(out[at + j] - max);
        }
        lse = max + Math.log(lse);
        for (int j = 0; j < 4; j++) {
          double t = target(loss, y, r, j);
          sum -= loss.fromLogits() ? t * (out[at + j] - lse) : t * Math.log(clip(out[at + j]
              / total));
        }
        return sum;
      case MEAN_SQUARED_ERROR:
        for (int j = 0; j < 4; j++) {
          double d = (double) y.get(r, j) - out[at + j];
          sum += d * d;
        }
        return sum / 4;
      default:
        for (int j = 0; j < 4; j++) {
          sum += Math.abs((double) y.get(r, j) - out[at + j]);
        }
        return sum / 4;
    }
  }
}
