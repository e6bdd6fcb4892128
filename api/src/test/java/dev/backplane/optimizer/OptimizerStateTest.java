package dev.backplane.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Device;
import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer in a compiled one-Dense model on the interpreter executable: training matches
 * Keras's formulas from the api's zero-filled initial slots, and a state saved after 2 steps and
 * restored into a fresh executable trains 2 more steps exactly as 4 straight steps.
 */
class OptimizerStateTest {
  private static final Device CPU = Device.parse("reference:cpu:0");
  private static final int INPUTS = 3;
  private static final int BATCH = 8;

  static Stream<Arguments> optimizers() {
    var decay = new ExponentialDecay(0.05, 3, 0.5);
    var warmup = new CosineDecay(0.01, 4, 0.1, 0.05, 2);
    return Stream.of(
        new SGD(0.05, 0.9, true),
        new Adam(0.05),
        new RMSprop(0.05, 0.9, 0.5, 1e-7),
        new AdamW(0.05),
        new Adagrad(0.05),
        new Adadelta(1.0),
        new Adamax(0.05),
        new Nadam(0.05),
        new Lion(0.05),
        new Adam(decay).withClipnorm(0.5),
        new Nadam(warmup).withClipvalue(0.1),
        new Adagrad(new PiecewiseConstantDecay(new long[] {1}, new double[] {0.05, 0.02})),
        new AdamW(new PolynomialDecay(0.05, 3, 0.01, 2), 0.1),
        new Lion(new InverseTimeDecay(0.05, 1, 0.5, true)),
        new SGD(new CosineDecay(0.05, 5), 0.5, false).withClipnorm(0.3))
        .map(o -> Arguments.of(o.toString(), o));
  }

  private static ModelSpec spec(Optimizer optimizer) {
    return ModelSpec.create("m", new int[] {INPUTS}, List.of(new Dense(1).withName("dense")),
        Loss.MEAN_SQUARED_ERROR, optimizer, 42);
  }

  private static Tensor[] batch(int step) {
    SplittableRandom r = new SplittableRandom(100 + step);
    float[] x = new float[BATCH * INPUTS];
    float[] y = new float[BATCH];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) r.nextDouble(-2, 2);
    }
    return new Tensor[] {Tensor.of(x, BATCH, INPUTS), Tensor.of(y, BATCH, 1)};
  }

  private static double train(InterpreterExecutable e, int step) {
    Tensor[] b = batch(step);
    return e.trainStep(b[0], b[1], new float[BATCH]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void resumingFromASnapshotIsExact(String name, Optimizer optimizer) {
    ModelSpec spec = spec(optimizer);
    ModelState straight;
    double[] straightLosses = new double[4];
    try (var e = new InterpreterExecutable(spec, CPU)) {
      for (int step = 0; step < 4; step++) {
        straightLosses[step] = train(e, step);
      }
      straight = e.snapshot();
    }
    ModelState half;
    try (var e = new InterpreterExecutable(spec, CPU)) {
      train(e, 0);
      train(e, 1);
      half = e.snapshot();
    }
    ModelState resumed;
    try (var e = new InterpreterExecutable(spec(optimizer), CPU)) {
      e.restore(half);
      assertThat(train(e, 2)).isEqualTo(straightLosses[2]);
      assertThat(train(e, 3)).isEqualTo(straightLosses[3]);
      resumed = e.snapshot();
    }
    assertThat(resumed.iterations()).isEqualTo(4);
    assertThat(straight.iterations()).isEqualTo(4);
    assertSame(resumed.parameters(), straight.parameters());
    assertSame(resumed.slots(), straight.slots());
    assertThat(straight.slots()).hasSize(2 * optimizer.slotNames().size());
    for (NamedArray slot : straight.slots()) {
      boolean moved = false;
      for (float v : slot.values()) {
        moved |= v != 0;
      }
      assertThat(moved).as("slot %s is used", slot.name()).isTrue();
    }
  }

  private static void assertSame(List<NamedArray> actual, List<NamedArray> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i).name()).isEqualTo(expected.get(i).name());
      assertThat(actual.get(i).values()).as(actual.get(i).name())
          .containsExactly(expected.get(i).values());
    }
  }

  /** Keras's formula, one instance per parameter (each keeps its own state). */
  private static Keras keras(Optimizer o) {
    LongToDoubleFunction lr = o.schedule() == null ? Keras.constant(o.learningRate())
        : it -> o.schedule().valueAt(it);
    if (o instanceof SGD s) {
      return new Keras.Sgd(lr, s.momentum(), s.nesterov());
    } else if (o instanceof Adam a) {
      return new Keras.Adam(lr, a.beta1(), a.beta2(), a.epsilon(), 0);
    } else if (o instanceof RMSprop r) {
      return new Keras.RmsProp(lr, r.rho(), r.momentum(), r.epsilon());
    } else if (o instanceof AdamW a) {
      return new Keras.Adam(lr, a.beta1(), a.beta2(), a.epsilon(), a.weightDecay());
    } else if (o instanceof Adagrad a) {
      return new Keras.Adagrad(lr, a.initialAccumulatorValue(), a.epsilon());
    } else if (o instanceof Adadelta a) {
      return new Keras.Adadelta(lr, a.rho(), a.epsilon());
    } else if (o instanceof Adamax a) {
      return new Keras.Adamax(lr, a.beta1(), a.beta2(), a.epsilon());
    } else if (o instanceof Nadam n) {
      return new Keras.Nadam(lr, n.beta1(), n.beta2(), n.epsilon());
    } else if (o instanceof Lion l) {
      return new Keras.Lion(lr, l.beta1(), l.beta2());
    }
    throw new AssertionError(o);
  }

  /** Keras's clipnorm / clipvalue of one parameter's gradient, in place. */
  private static void clip(GradientClipping c, double[] g) {
    if (c.clipnorm() > 0) {
      double sq = 0;
      for (double v : g) {
        sq += v * v;
      }
      double scale = c.clipnorm() / Math.max(Math.sqrt(sq), c.clipnorm());
      for (int i = 0; i < g.length; i++) {
        g[i] *= scale;
      }
    } else if (c.clipvalue() > 0) {
      for (int i = 0; i < g.length; i++) {
        g[i] = Math.max(-c.clipvalue(), Math.min(c.clipvalue(), g[i]));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void aCompiledModelTrainsByKerasFormula(String name, Optimizer optimizer) {
    ModelSpec spec = spec(optimizer);
    double[] kernel = toDoubles(spec.initialState().parameter("dense/kernel").values());
    double[] bias = toDoubles(spec.initialState().parameter("dense/bias").values());
    Keras kernelKeras = keras(optimizer);
    Keras biasKeras = keras(optimizer);
    try (var e = new InterpreterExecutable(spec, CPU)) {
      for (int step = 0; step < 4; step++) {
        Tensor[] b = batch(step);
        float[] x = b[0].toArray();
        float[] y = b[1].toArray();
        // mean squared error of a linear Dense(1): gradients of the batch-mean loss
        double[] gk = new double[INPUTS];
        double[] gb = new double[1];
        double loss = 0;
        for (int i = 0; i < BATCH; i++) {
          double pred = bias[0];
          for (int j = 0; j < INPUTS; j++) {
            pred += x[i * INPUTS + j] * kernel[j];
          }
          double r = pred - y[i];
          loss += r * r;
          for (int j = 0; j < INPUTS; j++) {
            gk[j] += 2 * r * x[i * INPUTS + j] / BATCH;
          }
          gb[0] += 2 * r / BATCH;
        }
        clip(optimizer.clipping(), gk);
        clip(optimizer.clipping(), gb);
        kernelKeras.step(kernel, gk);
        biasKeras.step(bias, gb);
        double got = e.trainStep(b[0], b[1], new float[BATCH]);
        assertThat(got).as("loss at step %d", step + 1)
            .isCloseTo(loss, org.assertj.core.data.Offset.offset(1e-4 * loss));
        ModelState s = e.snapshot();
        float[] k = s.parameter("dense/kernel").values();
        for (int j = 0; j < INPUTS; j++) {
          assertThat((double) k[j]).as("kernel[%d] after step %d", j, step + 1)
              .isCloseTo(kernel[j], org.assertj.core.data.Offset.offset(2e-5));
        }
        assertThat((double) s.parameter("dense/bias").values()[0])
            .as("bias after step %d", step + 1)
            .isCloseTo(bias[0], org.assertj.core.data.Offset.offset(2e-5));
      }
    }
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
