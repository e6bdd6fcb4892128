package dev.backplane.model;

import java.util.Map;
import java.util.Objects;

/**
 * Keras's {@code LearningRateScheduler}: before each epoch the learning rate becomes
 * {@code schedule(epoch, currentRate)}; every epoch logs {@code learning_rate}, the rate it ran
 * with. The model keeps its weights, optimizer slots and iteration count across the change
 * ({@link Sequential#setLearningRate}). The optimizer needs a constant rate, not a
 * {@link dev.backplane.optimizer.LearningRateSchedule}.
 */
public final class LearningRateScheduler implements Callback {
  /** Keras's {@code schedule(epoch, lr)}: the 0-based epoch and the current rate. */
  @FunctionalInterface
  public interface Schedule {
    /** The rate for {@code epoch}. */
    double learningRate(int epoch, double currentRate);
  }

  private final Schedule schedule;
  private final boolean verbose;

  /** {@code LearningRateScheduler(schedule)}. */
  public LearningRateScheduler(Schedule schedule) {
    this(schedule, false);
  }

  /** {@code LearningRateScheduler(schedule, verbose)}: {@code verbose} prints each new rate. */
  public LearningRateScheduler(Schedule schedule, boolean verbose) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.verbose = verbose;
  }

  @Override
  public void onTrainBegin(Sequential model) {
    model.logLearningRate();
  }

  @Override
  public void onEpochBegin(Sequential model, int epoch) {
    // Keras reads the rate back from its float32 variable
    double current = (float) model.learningRate();
    double next = schedule.learningRate(epoch, current);
    if (!(next > 0) || Double.isInfinite(next)) {
      throw new IllegalArgumentException("The output of the \"schedule\" function should be a"
          + " positive finite float; got " + next + " for epoch " + epoch);
    }
    model.setLearningRate(next);
    if (verbose) {
      model.output().printf("%nEpoch %05d: LearningRateScheduler setting learning rate to %s.%n",
          epoch + 1, next);
    }
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {}
}
