package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three steps of each optimizer on a model whose gradient is known and constant, against values
 * worked out by hand from the Keras formulas in the api's javadoc.
 *
 * <p>The model is {@code Dense(1, use_bias=False)} with kernel {@code [0.5, -0.25]}, one sample
 * {@code x = [1, 2]}, label {@code y = 100} and mean absolute error: the output stays below 100,
 * so {@code dL/dw = sign(out - y) · x = [-1, -2]} at every step.
 */
class OptimizerTest {
  private static final float[] W0 = {0.5f, -0.25f};
  private static final double TOL = 2e-6;
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

  private static Executable compile(String mode, Optimizer optimizer) {
    ModelSpec base = Fixtures.spec(2, Loss.MEAN_ABSOLUTE_ERROR, optimizer, 1,
        new Dense(1).withoutBias());
    ModelState state = base.initialState().copy();
    System.arraycopy(W0, 0, state.parameters().get(0).values(), 0, 2);
    ModelSpec spec = new ModelSpec(base.name(), base.inputShape(), base.layers(), base.loss(),
        optimizer, base.seed(), state);
    return (mode.equals("java") ? java : nativeBlas).compile(spec, AccelerateBackend.DEVICE);
  }

  /** Runs the steps and checks the kernel after each against {@code expected[step]}. */
  private static ModelState run(String mode, Optimizer optimizer, double[][] expected) {
    Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
    Tensor y = Tensor.of(new float[] {100}, 1, 1);
    float[] out = new float[1];
    try (Executable exe = compile(mode, optimizer)) {
      ModelState state = null;
      for (int step = 0; step < expected.length; step++) {
        exe.trainStep(x, y, out);
        state = exe.snapshot();
        float[] w = state.parameter("l0/kernel").values();
        assertThat((double) w[0]).as("w[0] after step %d", step + 1)
            .isCloseTo(expected[step][0], within(TOL));
        assertThat((double) w[1]).as("w[1] after step %d", step + 1)
            .isCloseTo(expected[step][1], within(TOL));
        assertThat(state.iterations()).isEqualTo(step + 1);
      }
      return state;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void sgd(String mode) {
    // w -= lr·g = w + 0.1·[1, 2]
    run(mode, new SGD(0.1), new double[][] {{0.6, -0.05}, {0.7, 0.15}, {0.8, 0.35}});
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void sgdMomentum(String mode) {
    // m = 0.9 m - 0.1 g: [.1,.2], [.19,.38], [.271,.542]; w += m
    ModelState s = run(mode, new SGD(0.1, 0.9, false),
        new double[][] {{0.6, -0.05}, {0.79, 0.33}, {1.061, 0.872}});
    assertThat((double) s.slot("l0/kernel/momentum").values()[1]).isCloseTo(0.542, within(TOL));
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void sgdNesterov(String mode) {
    // w += 0.9 m - 0.1 g with the new m: +[.19,.38], +[.271,.542], +[.3439,.6878]
    run(mode, new SGD(0.1, 0.9, true),
        new double[][] {{0.69, 0.13}, {0.961, 0.672}, {1.3049, 1.3598}});
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void adam(String mode) {
    // epsilon 0.01 makes its place (outside the sqrt) and the bias correction visible:
    // t=1: alpha = 0.1·sqrt(0.001)/0.1, m = 0.1 g, v = 0.001 g², w -= alpha m / (sqrt v + 0.01)
    ModelState s = run(mode, new Adam(0.1, 0.9, 0.999, 0.01), new double[][] {
        {0.575974693, -0.163652706}, {0.657696558, -0.073711008}, {0.742251319, 0.017920073}});
    assertThat((double) s.slot("l0/kernel/m").values()[1]).isCloseTo(-0.542, within(TOL));
    assertThat((double) s.slot("l0/kernel/v").values()[1]).isCloseTo(0.011988004, within(TOL));
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void adamDefaults(String mode) {
    // Keras's epsilon 1e-7: each step is lr·(1 - eps/(sqrt(1 - beta2^t)·|g|)) ≈ 0.1
    run(mode, new Adam(0.1), new double[][] {{0.599999684, -0.150000158},
        {0.699999460, -0.050000270}});
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void rmsprop(String mode) {
    // velocity = 0.9 v + 0.1 g²; w -= 0.1 g / sqrt(velocity + 0.01): step 1 = 0.1/sqrt(0.11)
    ModelState s = run(mode, new RMSprop(0.1, 0.9, 0, 0.01), new double[][] {
        {0.801511345, 0.062347524}, {1.025118142, 0.290268677}, {1.213763812, 0.481483402}});
    assertThat((double) s.slot("l0/kernel/velocity").values()[0]).isCloseTo(0.271,
        within(TOL));
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void rmspropMomentum(String mode) {
    // mom = 0.5 mom + step; w -= mom
    ModelState s = run(mode, new RMSprop(0.1, 0.9, 0.5, 0.01), new double[][] {
        {0.801511345, 0.062347524}, {1.175873815, 0.446442439}, {1.551700719, 0.829704622}});
    assertThat((double) s.slot("l0/kernel/momentum").values()[1]).isCloseTo(-0.383262183,
        within(TOL));
  }
}
