package dev.backplane.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The schedules' graphs, run on the reference interpreter, against Keras 3's formulas
 * (keras/src/optimizers/schedules/learning_rate_schedule.py) written out in double; and
 * optimizers stepping with a schedule at Keras's iteration count.
 */
class LearningRateScheduleTest {
  /** float32 constants: a relative error of a few float32 ulps. */
  private static final double TOLERANCE = 1e-6;

  private static void check(LearningRateSchedule s, LongToDoubleFunction keras, long... steps) {
    for (long step : steps) {
      double want = keras.applyAsDouble(step);
      assertThat(s.valueAt(step)).as("%s at step %d", s, step)
          .isCloseTo(want, org.assertj.core.data.Offset.offset(TOLERANCE * Math.abs(want)
              + 1e-8 * Math.abs(s.initialLearningRate() + keras.applyAsDouble(0))));
    }
  }

  private static long[] range(int to) {
    long[] out = new long[to + 1];
    for (int i = 0; i <= to; i++) {
      out[i] = i;
    }
    return out;
  }

  @Test
  void exponentialDecay() {
    check(new ExponentialDecay(0.1, 7, 0.5), s -> 0.1 * Math.pow(0.5, s / 7.0), range(30));
    check(new ExponentialDecay(0.1, 7, 0.5, true),
        s -> 0.1 * Math.pow(0.5, Math.floor(s / 7.0)), range(30));
    assertThat(new ExponentialDecay(0.1, 7, 0.5, true).valueAt(13))
        .isEqualTo(new ExponentialDecay(0.1, 7, 0.5, true).valueAt(7));
  }

  @Test
  void inverseTimeDecay() {
    check(new InverseTimeDecay(0.1, 4, 0.5), s -> 0.1 / (1 + 0.5 * s / 4.0), range(30));
    check(new InverseTimeDecay(0.1, 4, 0.5, true),
        s -> 0.1 / (1 + 0.5 * Math.floor(s / 4.0)), range(30));
  }

  @Test
  void piecewiseConstantDecay() {
    var s = new PiecewiseConstantDecay(new long[] {3, 5, 9}, new double[] {1, 0.5, 0.25, 0.125});
    // step <= 3: 1; 3 < step <= 5: 0.5; 5 < step <= 9: 0.25; after: 0.125
    check(s, step -> step <= 3 ? 1 : step <= 5 ? 0.5 : step <= 9 ? 0.25 : 0.125, range(14));
    assertThat(s.initialLearningRate()).isEqualTo(1);
    check(new PiecewiseConstantDecay(List.of(2L), List.of(0.3, 0.1)),
        step -> step <= 2 ? 0.3 : 0.1, range(5));
    assertThatThrownBy(() -> new PiecewiseConstantDecay(new long[] {3}, new double[] {1}))
        .hasMessageContaining("1 less than");
    assertThatThrownBy(() -> new PiecewiseConstantDecay(new long[] {3, 3}, new double[] {1, 2, 3}))
        .hasMessageContaining("increasing");
  }

  private static double cosineKeras(double initial, double decaySteps, double alpha,
      double warmupTarget, double warmupSteps, long step) {
    if (Double.isNaN(warmupTarget)) {
      double s = Math.min(step, decaySteps);
      return initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * s / decaySteps)) + alpha);
    }
    double s = Math.min(step, decaySteps + warmupSteps);
    if (s < warmupSteps) {
      return (warmupTarget - initial) * (s / warmupSteps) + initial;
    }
    double d = s - warmupSteps;
    return warmupTarget * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * d / decaySteps)) + alpha);
  }

  @Test
  void cosineDecay() {
    check(new CosineDecay(0.1, 20), s -> cosineKeras(0.1, 20, 0, Double.NaN, 0, s), range(30));
    check(new CosineDecay(0.1, 20, 0.25),
        s -> cosineKeras(0.1, 20, 0.25, Double.NaN, 0, s), range(30));
    // the polynomial cosine over a fine grid
    check(new CosineDecay(1, 1000), s -> cosineKeras(1, 1000, 0, Double.NaN, 0, s),
        range(1000));
    assertThat(new CosineDecay(0.1, 20).valueAt(20)).isCloseTo(0,
        org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void cosineDecayWithWarmup() {
    var s = new CosineDecay(0, 20, 0.1, 0.4, 5);
    check(s, step -> cosineKeras(0, 20, 0.1, 0.4, 5, step), range(30));
    assertThat(s.valueAt(0)).isZero();
    assertThat(s.valueAt(5)).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-7));
    assertThat(s.valueAt(100)).isCloseTo(0.04, org.assertj.core.data.Offset.offset(1e-7));
    // warmup_target without warmup steps: the decay starts from the target at once
    check(new CosineDecay(0.1, 20, 0, 0.4, 0),
        step -> cosineKeras(0.1, 20, 0, 0.4, 0, step), range(25));
    assertThat(s.hasWarmup()).isTrue();
    assertThat(new CosineDecay(0.1, 20).hasWarmup()).isFalse();
  }

  @Test
  void polynomialDecay() {
    check(new PolynomialDecay(0.1, 10), s -> (0.1 - 0.0001) * (1 - Math.min(s, 10) / 10.0)
        + 0.0001, range(20));
    check(new PolynomialDecay(0.1, 10, 0.01, 0.5), s -> (0.1 - 0.01)
        * Math.pow(1 - Math.min(s, 10) / 10.0, 0.5) + 0.01, range(20));
    LongToDoubleFunction cycle = s -> {
      double steps = 10 * (s == 0 ? 1 : Math.ceil(s / 10.0));
      return (0.1 - 0.01) * Math.pow(1 - s / steps, 2) + 0.01;
    };
    check(new PolynomialDecay(0.1, 10, 0.01, 2, true), cycle, range(35));
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> new ExponentialDecay(0.1, 0, 0.5)).hasMessageContaining("decay_steps");
    assertThatThrownBy(() -> new CosineDecay(0.1, -1)).hasMessageContaining("decay_steps");
    assertThatThrownBy(() -> new PolynomialDecay(-0.1, 10))
        .hasMessageContaining("initial_learning_rate");
    assertThatThrownBy(() -> new InverseTimeDecay(0.1, 10, Double.NaN))
        .hasMessageContaining("decay_rate");
  }

  @Test
  void optimizersReadTheScheduleAtKerasIterations() {
    var schedule = new ExponentialDecay(0.5, 2, 0.5);
    LongToDoubleFunction keras = it -> 0.5 * Math.pow(0.5, it / 2.0);
    // step t uses the rate at iterations t - 1: 0.5 on the first step
    OptimizerFormulasTest.run(new SGD(schedule),
        new Keras.Sgd(keras, 0, false), TOLERANCE, 1e-12);
    OptimizerFormulasTest.run(new SGD(schedule, 0.75, true),
        new Keras.Sgd(keras, 0.75, true), TOLERANCE, 1e-12);
    OptimizerFormulasTest.run(new Adam(schedule, 0.75, 0.875, 0.0625),
        new Keras.Adam(keras, 0.75, 0.875, 0.0625, 0), TOLERANCE, 1e-12);
    // AdamW's decay uses the scheduled rate too
    OptimizerFormulasTest.run(new AdamW(0.5, 0.25, 0.75, 0.875, 0.0625, schedule, null),
        new Keras.Adam(keras, 0.75, 0.875, 0.0625, 0.25), TOLERANCE, 1e-12);
    assertThat(new AdamW(schedule, 0.25)).isEqualTo(new AdamW(0.5, 0.25, 0.9, 0.999, 1e-7,
        schedule, GradientClipping.NONE));
    OptimizerFormulasTest.run(new Adagrad(0.125, 0.5, 0.0625).withLearningRate(schedule),
        new Keras.Adagrad(keras, 0.5, 0.0625), TOLERANCE, 1e-12);
    OptimizerFormulasTest.run(new Lion(0.125, 0.75, 0.875).withLearningRate(schedule),
        new Keras.Lion(keras, 0.75, 0.875), TOLERANCE, 1e-12);
    OptimizerFormulasTest.run(new Nadam(0.125, 0.75, 0.875, 0.0625).withLearningRate(schedule),
        new Keras.Nadam(keras, 0.75, 0.875, 0.0625), TOLERANCE, 1e-12);
  }

  @Test
  void theLearningRateOfAScheduledOptimizerIsTheInitialRate() {
    var schedule = new CosineDecay(0.2, 100);
    Optimizer o = new RMSprop(schedule);
    assertThat(o.learningRate()).isEqualTo(0.2);
    assertThat(o.schedule()).isEqualTo(schedule);
    assertThat(o.withLearningRate(0.3).schedule()).isNull();
    assertThat(o.withLearningRate(0.3).learningRate()).isEqualTo(0.3);
    assertThat(new RMSprop(schedule)).isEqualTo(new RMSprop(new CosineDecay(0.2, 100)));
    // a warmup from 0 is a valid schedule though 0 is not a valid constant rate
    assertThat(new SGD(new CosineDecay(0, 100, 0, 0.1, 10)).learningRate()).isZero();
    assertThatThrownBy(() -> new Adam(0.5, 0.9, 0.999, 1e-7, schedule, null))
        .hasMessageContaining("initial rate");
  }
}
