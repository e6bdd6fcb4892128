package dev.backplane.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each optimizer's update graph, run on the reference interpreter, against Keras 3's formula
 * written out in double ({@link Keras}), step by step.
 */
class OptimizerFormulasTest {
  private static final double[] W0 = {0.5, -1.25, 2.0, 0.0, 0.75};
  private static final int STEPS = 5;

  /** A gradient per step: mixed signs and sizes, never exactly zero. */
  static double[] grad(int step) {
    double[] g = new double[W0.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = Math.sin(1.7 * step + 0.9 * i + 0.3) * (0.25 + i * 0.6);
    }
    return g;
  }

  private static Arguments of(Optimizer o, Supplier<Keras> keras) {
    return Arguments.of(o.toString(), o, keras);
  }

  /**
   * Hyper-parameters exactly representable in float32 (the graph's constants are float32), with
   * large epsilons so that where epsilon enters the formula shows.
   */
  static Stream<Arguments> exact() {
    return Stream.of(
        of(new SGD(0.125), () -> new Keras.Sgd(Keras.constant(0.125), 0, false)),
        of(new SGD(0.125, 0.75, false), () -> new Keras.Sgd(Keras.constant(0.125), 0.75, false)),
        of(new SGD(0.125, 0.75, true), () -> new Keras.Sgd(Keras.constant(0.125), 0.75, true)),
        of(new Adam(0.125, 0.75, 0.875, 0.0625),
            () -> new Keras.Adam(Keras.constant(0.125), 0.75, 0.875, 0.0625, 0)),
        of(new RMSprop(0.125, 0.75, 0, 0.0625),
            () -> new Keras.RmsProp(Keras.constant(0.125), 0.75, 0, 0.0625)),
        of(new RMSprop(0.125, 0.75, 0.5, 0.0625),
            () -> new Keras.RmsProp(Keras.constant(0.125), 0.75, 0.5, 0.0625)),
        of(new AdamW(0.125, 0.25, 0.75, 0.875, 0.0625),
            () -> new Keras.Adam(Keras.constant(0.125), 0.75, 0.875, 0.0625, 0.25)),
        of(new Adagrad(0.125, 0.5, 0.0625),
            () -> new Keras.Adagrad(Keras.constant(0.125), 0.5, 0.0625)),
        of(new Adadelta(0.5, 0.75, 0.0625),
            () -> new Keras.Adadelta(Keras.constant(0.5), 0.75, 0.0625)),
        of(new Adamax(0.125, 0.75, 0.875, 0.0625),
            () -> new Keras.Adamax(Keras.constant(0.125), 0.75, 0.875, 0.0625)),
        of(new Nadam(0.125, 0.75, 0.875, 0.0625),
            () -> new Keras.Nadam(Keras.constant(0.125), 0.75, 0.875, 0.0625)),
        of(new Lion(0.125, 0.75, 0.875),
            () -> new Keras.Lion(Keras.constant(0.125), 0.75, 0.875)));
  }

  /** Keras's defaults (with a larger learning rate so that steps are large), by name. */
  static Stream<Arguments> defaults() {
    return Stream.of(
        of(Optimizers.of("sgd").withLearningRate(0.1),
            () -> new Keras.Sgd(Keras.constant(0.1), 0, false)),
        of(Optimizers.of("adam").withLearningRate(0.1),
            () -> new Keras.Adam(Keras.constant(0.1), 0.9, 0.999, 1e-7, 0)),
        of(Optimizers.of("rmsprop").withLearningRate(0.1),
            () -> new Keras.RmsProp(Keras.constant(0.1), 0.9, 0, 1e-7)),
        of(Optimizers.of("adamw").withLearningRate(0.1),
            () -> new Keras.Adam(Keras.constant(0.1), 0.9, 0.999, 1e-7, 0.004)),
        of(Optimizers.of("adagrad").withLearningRate(0.1),
            () -> new Keras.Adagrad(Keras.constant(0.1), 0.1, 1e-7)),
        of(Optimizers.of("adadelta").withLearningRate(0.1),
            () -> new Keras.Adadelta(Keras.constant(0.1), 0.95, 1e-7)),
        of(Optimizers.of("adamax").withLearningRate(0.1),
            () -> new Keras.Adamax(Keras.constant(0.1), 0.9, 0.999, 1e-7)),
        of(Optimizers.of("nadam").withLearningRate(0.1),
            () -> new Keras.Nadam(Keras.constant(0.1), 0.9, 0.999, 1e-7)),
        of(Optimizers.of("lion").withLearningRate(0.1),
            () -> new Keras.Lion(Keras.constant(0.1), 0.9, 0.99)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exact")
  void matchesKerasWithExactHyperParameters(String name, Optimizer optimizer,
      Supplier<Keras> keras) {
    // only Nadam's 0.96 and 0.5 and its exp/log round-trip are not exact in the graph
    run(optimizer, keras.get(), 1e-6, 1e-12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("defaults")
  void matchesKerasWithItsDefaults(String name, Optimizer optimizer, Supplier<Keras> keras) {
    // the defaults (0.999, 1e-7, ...) are rounded to float32 in the graph: compare the steps
    run(optimizer, keras.get(), 1e-4, 1e-9);
  }

  /** Steps both and compares each step's change {@code w_new - w_old}, element by element. */
  static void run(Optimizer optimizer, Keras keras, double relative, double absolute) {
    Stepper graph = new Stepper(optimizer, W0);
    double[] w = W0.clone();
    for (int step = 0; step < STEPS; step++) {
      double[] before = w.clone();
      double[] g = grad(step);
      keras.step(w, g);
      double[] got = graph.step(g).get(0);
      for (int i = 0; i < w.length; i++) {
        double want = w[i] - before[i];
        double have = got[i] - before[i];
        assertThat(Math.abs(have - want))
            .as("%s step %d element %d: step %s, Keras %s", optimizer, step + 1, i, have, want)
            .isLessThanOrEqualTo(absolute + relative * Math.abs(want));
        assertThat(want).as("the step moves the weight").isNotZero();
      }
      w = got.clone(); // the next step starts from the same weights on both sides
    }
  }

  @Test
  void adagradSlotIsTheSumOfSquaredGradients() {
    Stepper graph = new Stepper(new Adagrad(0.125, 0.5, 0.0625), W0);
    double[] sum = new double[W0.length];
    for (int step = 0; step < 3; step++) {
      double[] g = grad(step);
      graph.step(g);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += g[i] * g[i];
      }
    }
    // Keras's accumulator is 0.5 + this
    assertThat(graph.slot(0, 0)).containsExactly(sum, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void nadamSlotIsTheLogOfKerasUProduct() {
    Stepper graph = new Stepper(new Nadam(), W0);
    double product = 1;
    for (int t = 1; t <= 4; t++) {
      graph.step(grad(t));
      product *= 0.9 * (1 - 0.5 * Math.pow(0.96, t));
      for (double v : graph.slot(0, 2)) {
        assertThat(v).isCloseTo(Math.log(product), org.assertj.core.data.Offset.offset(1e-6));
      }
    }
  }

  @Test
  void lionStepsAreSignsTimesTheLearningRate() {
    Stepper graph = new Stepper(new Lion(0.125, 0.75, 0.875), W0);
    double[] w = graph.step(grad(0)).get(0);
    for (int i = 0; i < w.length; i++) {
      assertThat(Math.abs(w[i] - W0[i])).isEqualTo(0.125);
    }
  }

  @Test
  void adamWithoutWeightDecayIsAdam() {
    Stepper w = new Stepper(new AdamW(0.125, 0, 0.75, 0.875, 0.0625), W0);
    Stepper a = new Stepper(new Adam(0.125, 0.75, 0.875, 0.0625), W0);
    for (int step = 0; step < 3; step++) {
      assertThat(w.step(grad(step)).get(0)).containsExactly(a.step(grad(step)).get(0));
    }
  }

  @Test
  void namesDefaultsAndSlots() {
    assertThat(Optimizers.of("AdamW")).isEqualTo(new AdamW(0.001, 0.004, 0.9, 0.999, 1e-7));
    assertThat(Optimizers.of("adagrad")).isEqualTo(new Adagrad(0.001, 0.1, 1e-7));
    assertThat(Optimizers.of("adadelta")).isEqualTo(new Adadelta(0.001, 0.95, 1e-7));
    assertThat(Optimizers.of("adamax")).isEqualTo(new Adamax(0.001, 0.9, 0.999, 1e-7));
    assertThat(Optimizers.of(" Nadam ")).isEqualTo(new Nadam(0.001, 0.9, 0.999, 1e-7));
    assertThat(Optimizers.of("lion")).isEqualTo(new Lion(0.001, 0.9, 0.99));
    for (String name : List.of("sgd", "adam", "rmsprop", "adamw", "adagrad", "adadelta",
        "adamax", "nadam", "lion")) {
      Optimizer o = Optimizers.of(name);
      assertThat(o.kerasName()).isEqualTo(name);
      assertThat(o.clipping()).isEqualTo(GradientClipping.NONE);
      assertThat(o.schedule()).isNull();
    }
    assertThat(new AdamW().slotNames()).containsExactly("m", "v");
    assertThat(new Adagrad().slotNames()).containsExactly("squared_gradient_sum");
    assertThat(new Adadelta().slotNames())
        .containsExactly("accumulated_grad", "accumulated_delta_var");
    assertThat(new Adamax().slotNames()).containsExactly("m", "u");
    assertThat(new Nadam().slotNames()).containsExactly("m", "v", "log_u_product");
    assertThat(new Lion().slotNames()).containsExactly("m");
    assertThatThrownBy(() -> Optimizers.of("ftrl")).hasMessageContaining("lion");
  }

  @Test
  void existingConstructorsAndComponentsStillWork() {
    assertThat(new Adam(0.05)).isEqualTo(new Adam(0.05, 0.9, 0.999, 1e-7));
    assertThat(new Adam(0.05).learningRate()).isEqualTo(0.05);
    assertThat(new SGD(0.1, 0.9, true).slotNames()).containsExactly("momentum");
    assertThat(new SGD(0.1, 0.9, true).nesterov()).isTrue();
    assertThat(new RMSprop(0.01, 0.8, 0.5, 1e-6).momentum()).isEqualTo(0.5);
    assertThat(new Adam(0.05).withClipnorm(1)).isNotEqualTo(new Adam(0.05));
    assertThat(new Adam(0.05).withClipnorm(1).withClipping(null)).isEqualTo(new Adam(0.05));
  }

  @Test
  void hyperParametersAreChecked() {
    assertThatThrownBy(() -> new Lion(0.1, 0, 0.9)).hasMessageContaining("beta1");
    assertThatThrownBy(() -> new Adagrad(0.1, -1, 1e-7))
        .hasMessageContaining("initial_accumulator_value");
    assertThatThrownBy(() -> new AdamW(0.1, -0.1)).hasMessageContaining("weight_decay");
    assertThatThrownBy(() -> new Adadelta(0.1, 1, 1e-7)).hasMessageContaining("rho");
    assertThatThrownBy(() -> new Nadam(0, 0.9, 0.999, 1e-7))
        .hasMessageContaining("learning_rate");
    assertThatThrownBy(() -> new Adamax(0.1, 0.9, 0.999, 0)).hasMessageContaining("epsilon");
  }
}
