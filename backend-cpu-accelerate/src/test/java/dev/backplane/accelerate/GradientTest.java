package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import dev.backplane.testing.GradientCheck;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backpropagated gradients against central finite differences, for every activation, every
 * loss (with and without {@code fromLogits}, fused and unfused), Dense with and without bias and
 * multi-layer models, on both the pure-Java and the native kernels.
 */
class GradientTest {
  private static final double H = 1e-3;
  private static final double RTOL = 1e-3;
  /** Float32 losses (as the program computes them) make central differences noisier. */
  private static final double ATOL = 1.5e-4;
  private static AccelerateBackend java;
  private static AccelerateBackend nativeBlas;

  @BeforeAll
  static void open() {
    java = Fixtures.backend("java", 2);
    nativeBlas = Fixtures.backend("native", 2);
  }

  @AfterAll
  static void close() {
    java.close();
    nativeBlas.close();
  }

  static Stream<String> modes() {
    return Stream.of("java", "native");
  }

  private static AccelerateBackend backend(String mode) {
    return mode.equals("java") ? java : nativeBlas;
  }

  private static GradientCheck.Report check(String mode, ModelSpec spec, long dataSeed) {
    int inputs = spec.inputSize();
    Tensor x = Fixtures.uniform(dataSeed, 6, inputs, -2, 2);
    Tensor y = Fixtures.labels(dataSeed + 1, 6, spec.outputSize(), spec.loss());
    GradientCheck.Report report = GradientCheck.check(
        s -> backend(mode).compile(s, AccelerateBackend.DEVICE), spec, x, y, H, 50);
    report.assertWithin(RTOL, ATOL);
    return report;
  }

  static Stream<Arguments> activations() {
    List<Arguments> args = new ArrayList<>();
    for (String mode : List.of("java", "native")) {
      for (Activation a : Activation.values()) {
        args.add(Arguments.of(mode, a));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{1} in Dense on {0}")
  @MethodSource("activations")
  void activationInDense(String mode, Activation activation) {
    ModelSpec spec = Fixtures.spec(4, Loss.MEAN_SQUARED_ERROR, new SGD(), 3,
        new Dense(3, activation));
    assertThat(check(mode, spec, 10).maxAbsAnalytic()).isGreaterThan(1e-3);
  }

  @ParameterizedTest(name = "{1} as Activation layer on {0}")
  @MethodSource("activations")
  void activationLayer(String mode, Activation activation) {
    ModelSpec spec = Fixtures.spec(4, Loss.MEAN_SQUARED_ERROR, new SGD(), 5,
        new Dense(3), new ActivationLayer(activation));
    assertThat(check(mode, spec, 20).maxAbsAnalytic()).isGreaterThan(1e-3);
  }

  static Stream<Arguments> losses() {
    Object[][] cases = {
        {"bce + sigmoid (fused)", Loss.BINARY_CROSSENTROPY, Activation.SIGMOID},
        {"bce + softmax (unfused)", Loss.BINARY_CROSSENTROPY, Activation.SOFTMAX},
        {"bce from logits", Loss.BINARY_CROSSENTROPY.withFromLogits(), Activation.LINEAR},
        {"cce + softmax (fused)", Loss.CATEGORICAL_CROSSENTROPY, Activation.SOFTMAX},
        {"cce + sigmoid (unfused)", Loss.CATEGORICAL_CROSSENTROPY, Activation.SIGMOID},
        {"cce from logits", Loss.CATEGORICAL_CROSSENTROPY.withFromLogits(), Activation.LINEAR},
        {"sparse cce + softmax (fused)", Loss.SPARSE_CATEGORICAL_CROSSENTROPY,
            Activation.SOFTMAX},
        {"sparse cce + sigmoid (unfused)", Loss.SPARSE_CATEGORICAL_CROSSENTROPY,
            Activation.SIGMOID},
        {"sparse cce from logits", Loss.SPARSE_CATEGORICAL_CROSSENTROPY.withFromLogits(),
            Activation.LINEAR},
        {"mse", Loss.MEAN_SQUARED_ERROR, Activation.LINEAR},
        {"mae", Loss.MEAN_ABSOLUTE_ERROR, Activation.LINEAR},
        {"mae + tanh", Loss.MEAN_ABSOLUTE_ERROR, Activation.TANH},
    };
    List<Arguments> args = new ArrayList<>();
    for (String mode : List.of("java", "native")) {
      for (Object[] c : cases) {
        args.add(Arguments.of(mode, c[0], c[1], c[2]));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("losses")
  void lossThroughDense(String mode, String label, Loss loss, Activation last) {
    ModelSpec spec = Fixtures.spec(5, loss, new SGD(), 7, new Dense(4, last));
    assertThat(check(mode, spec, 30).maxAbsAnalytic()).isGreaterThan(1e-3);
  }

  @ParameterizedTest(name = "{1} via Activation layer on {0}")
  @MethodSource("losses")
  void lossThroughActivationLayer(String mode, String label, Loss loss, Activation last) {
    ModelSpec spec = Fixtures.spec(5, loss, new SGD(), 9, new Dense(4),
        new ActivationLayer(last));
    assertThat(check(mode, spec, 40).maxAbsAnalytic()).isGreaterThan(1e-3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void denseWithoutBias(String mode) {
    ModelSpec spec = Fixtures.spec(4, Loss.MEAN_SQUARED_ERROR, new SGD(), 11,
        new Dense(3, Activation.TANH).withoutBias());
    assertThat(spec.parameterNames()).containsExactly("l0/kernel");
    check(mode, spec, 50);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void denseWithBias(String mode) {
    ModelSpec spec = Fixtures.spec(4, Loss.MEAN_SQUARED_ERROR, new SGD(), 13,
        new Dense(3, Activation.TANH));
    assertThat(spec.parameterNames()).containsExactly("l0/kernel", "l0/bias");
    GradientCheck.Report report = check(mode, spec, 60);
    assertThat(report.entries()).anyMatch(e -> e.parameter().equals("l0/bias")
        && Math.abs(e.analytic()) > 1e-3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void twoLayerModel(String mode) {
    ModelSpec spec = Fixtures.spec(6, Loss.CATEGORICAL_CROSSENTROPY, new SGD(), 17,
        new Dense(8, Activation.TANH), new Dense(4, Activation.SOFTMAX));
    GradientCheck.Report report = check(mode, spec, 70);
    assertThat(report.entries()).anyMatch(e -> e.parameter().equals("l0/kernel")
        && Math.abs(e.analytic()) > 1e-3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void deepModelWithFlattenAndWideLayers(String mode) {
    // Wide enough for the blocked and transposed ("narrow") matrix kernels and the thread pool.
    List<Layer> layers = Fixtures.named(new Flatten(), new Dense(96, Activation.ELU),
        new Dense(80, Activation.GELU), new ActivationLayer(Activation.LEAKY_RELU),
        new Dense(3, Activation.SOFTMAX));
    ModelSpec spec = ModelSpec.create("deep", new int[] {4, 10}, layers,
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new SGD(), 19);
    Tensor x = Fixtures.uniform(80, 64, 40, -1, 1);
    Tensor x3 = Tensor.wrap(x.data(), 64, 4, 10);
    Tensor y = Fixtures.labels(81, 64, 3, spec.loss());
    GradientCheck.check(s -> backend(mode).compile(s, AccelerateBackend.DEVICE), spec, x3, y,
        H, 12).assertWithin(RTOL, ATOL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void clippedProbabilitiesHaveZeroGradient(String mode) {
    for (Activation last : List.of(Activation.SIGMOID, Activation.SOFTMAX)) {
      for (Loss loss : List.of(Loss.BINARY_CROSSENTROPY, Loss.CATEGORICAL_CROSSENTROPY)) {
        ModelSpec base = Fixtures.spec(3, loss, new SGD(), 23, new Dense(2, last));
        // Kernel of 30s and positive inputs: sigmoid saturates to 1.0f, softmax to one class.
        var state = base.initialState().copy();
        float[] kernel = state.parameters().get(0).values();
        Arrays.fill(kernel, 30f);
        kernel[1] = -30f;
        kernel[3] = -30f;
        kernel[5] = -30f;
        ModelSpec saturated = new ModelSpec(base.name(), base.inputShape(), base.layers(), loss,
            new SGD(), base.seed(), state);
        Tensor x = Fixtures.uniform(90, 6, 3, 0.5, 1);
        Tensor y = Fixtures.labels(91, 6, 2, loss);
        GradientCheck.Report report = GradientCheck.check(
            s -> backend(mode).compile(s, AccelerateBackend.DEVICE), saturated, x, y, H, 10);
        report.assertWithin(RTOL, ATOL);
        assertThat(report.entries()).as(last + " + " + loss)
            .allMatch(e -> e.analytic() == 0 && e.numeric() == 0);
      }
    }
  }

  @Test
  void gradientCheckFailsOnAWrongGradient() {
    // The helper itself must be able to fail: a gradient scaled wrong is caught.
    GradientCheck.Entry wrong = new GradientCheck.Entry("w", 0, 0.5, 1.0);
    assertThat(wrong.within(RTOL, ATOL)).isFalse();
    GradientCheck.Report report = new GradientCheck.Report(List.of(wrong));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> report.assertWithin(RTOL, ATOL))
        .isInstanceOf(AssertionError.class).hasMessageContaining("w[0]");
  }
}
