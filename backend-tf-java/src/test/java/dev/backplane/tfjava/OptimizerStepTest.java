package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Initializer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Optimizer steps worked out by hand. The model is one weight: {@code out = w x} with
 * {@code x = 2}, {@code y = 0}, mean squared error, so {@code loss = (2w)^2} and
 * {@code g = 8w}; from {@code w = 0.5}: loss 1, gradient 4.
 */
class OptimizerStepTest {
  private static final Tensor X = Tensor.of(new float[] {2f}, 1, 1);
  private static final Tensor Y = Tensor.of(new float[] {0f}, 1, 1);
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(1, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  @Test
  void sgd() {
    try (Executable e = oneWeight(new SGD(0.1))) {
      assertThat(step(e)).isEqualTo(1.0);
      // w = 0.5 - 0.1 * 4
      assertThat(weight(e)).isCloseTo(0.1, within(1e-7));
      assertThat(e.snapshot().iterations()).isEqualTo(1);
    }
  }

  @Test
  void sgdMomentum() {
    try (Executable e = oneWeight(new SGD(0.1, 0.9, false))) {
      step(e); // v = -0.4, w = 0.1
      assertThat(slot(e, "momentum")).isCloseTo(-0.4, within(1e-7));
      assertThat(step(e)).isCloseTo(0.04, within(1e-7)); // (2 * 0.1)^2
      // g = 0.8; v = 0.9 * -0.4 - 0.1 * 0.8 = -0.44; w = 0.1 - 0.44
      assertThat(slot(e, "momentum")).isCloseTo(-0.44, within(1e-7));
      assertThat(weight(e)).isCloseTo(-0.34, within(1e-7));
    }
  }

  @Test
  void sgdNesterov() {
    try (Executable e = oneWeight(new SGD(0.1, 0.9, true))) {
      step(e);
      // v = -0.4; w = 0.5 + (0.9 * -0.4 - 0.1 * 4) = -0.26
      assertThat(slot(e, "momentum")).isCloseTo(-0.4, within(1e-7));
      assertThat(weight(e)).isCloseTo(-0.26, within(1e-7));
    }
  }

  @Test
  void adam() {
    try (Executable e = oneWeight(new Adam(0.001))) {
      step(e);
      // m = 0.1 * 4 = 0.4; v = 0.001 * 16 = 0.016
      // alpha = 0.001 * sqrt(1 - 0.999) / (1 - 0.9) = 3.16227766e-4
      // w = 0.5 - alpha * 0.4 / (sqrt(0.016) + 1e-7) = 0.5 - 9.99999209e-4
      // The fused kernel forms 1 - beta2 in float32: 1 - 0.999f is 1.3e-5 relative below 0.001.
      assertThat(slot(e, "m")).isCloseTo(0.4, within(1e-7));
      assertThat(slot(e, "v")).isCloseTo(0.016, within(0.016 * 2e-5));
      assertThat(weight(e)).isCloseTo(0.499000000791, within(2e-7));
      step(e);
      // g = 8 * 0.499000000791 = 3.99200000633
      // m = 0.4 + (g - 0.4) * 0.1 = 0.759200000633; v = 0.016 + (g^2 - 0.016) * 0.001 = 0.031920064
      // alpha = 0.001 * sqrt(1 - 0.999^2) / (1 - 0.9^2) = 2.35339362e-4
      double g = 8 * 0.499000000791;
      double m = 0.4 + (g - 0.4) * 0.1;
      double v = 0.016 + (g * g - 0.016) * 0.001;
      double alpha = 0.001 * Math.sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
      assertThat(slot(e, "m")).isCloseTo(m, within(1e-6));
      assertThat(slot(e, "v")).isCloseTo(v, within(v * 2e-5));
      assertThat(weight(e)).isCloseTo(0.499000000791 - alpha * m / (Math.sqrt(v) + 1e-7),
          within(2e-7));
      assertThat(e.snapshot().iterations()).isEqualTo(2);
    }
  }

  @Test
  void rmsprop() {
    try (Executable e = oneWeight(new RMSprop(0.001))) {
      step(e);
      // velocity = 0.1 * 16 = 1.6; w = 0.5 - 0.001 * 4 / sqrt(1.6 + 1e-7) = 0.5 - 0.0031622767
      assertThat(slot(e, "velocity")).isCloseTo(1.6, within(1e-6));
      assertThat(weight(e)).isCloseTo(0.5 - 0.004 / Math.sqrt(1.6 + 1e-7), within(1e-7));
    }
  }

  @Test
  void rmspropMomentum() {
    try (Executable e = oneWeight(new RMSprop(0.001, 0.9, 0.5, 1e-7))) {
      step(e);
      step(e);
      double w1 = 0.5 - 0.004 / Math.sqrt(1.6 + 1e-7);
      double mom1 = 0.5 - w1;
      double g = 8 * w1;
      double vel = 0.9 * 1.6 + 0.1 * g * g;
      double mom2 = 0.5 * mom1 + 0.001 * g / Math.sqrt(vel + 1e-7);
      assertThat(slot(e, "velocity")).isCloseTo(vel, within(1e-6));
      assertThat(slot(e, "momentum")).isCloseTo(mom2, within(1e-7));
      assertThat(weight(e)).isCloseTo(w1 - mom2, within(1e-7));
    }
  }

  private static Executable oneWeight(Optimizer optimizer) {
    ModelSpec spec = ModelSpec.create("one-weight", new int[] {1},
        List.of(new Dense(1, Activation.LINEAR, false, Initializer.ONES, Initializer.ZEROS,
            "dense")), Loss.MEAN_SQUARED_ERROR, optimizer, 1);
    Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec);
    ModelState s = spec.initialState();
    e.restore(new ModelState(List.of(new NamedArray("dense/kernel", new int[] {1, 1},
        new float[] {0.5f})), s.slots(), 0));
    return e;
  }

  private static double step(Executable e) {
    return e.trainStep(X, Y, new float[1]);
  }

  private static double weight(Executable e) {
    return e.snapshot().parameter("dense/kernel").values()[0];
  }

  private static double slot(Executable e, String slot) {
    return e.snapshot().slot("dense/kernel/" + slot).values()[0];
  }
}
