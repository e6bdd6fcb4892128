package dev.backplane.optimizer;

import java.util.Locale;
import java.util.Objects;

/** Looks optimizers up by Keras name, and holds the shared argument checks. */
public final class Optimizers {
  private Optimizers() {}

  /**
   * The optimizer Keras creates for this name, with its defaults: {@code sgd}, {@code adam},
   * {@code rmsprop}, {@code adamw}, {@code adagrad}, {@code adadelta}, {@code adamax},
   * {@code nadam}, {@code lion} (case-insensitive).
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Optimizer of(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (key) {
      case "sgd":
        return new SGD();
      case "adam":
        return new Adam();
      case "rmsprop":
        return new RMSprop();
      case "adamw":
        return new AdamW();
      case "adagrad":
        return new Adagrad();
      case "adadelta":
        return new Adadelta();
      case "adamax":
        return new Adamax();
      case "nadam":
        return new Nadam();
      case "lion":
        return new Lion();
      default:
        throw new IllegalArgumentException("Unknown optimizer '" + name + "'. Expected one of"
            + " sgd, adam, rmsprop, adamw, adagrad, adadelta, adamax, nadam, lion");
    }
  }

  static void checkLearningRate(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning_rate must be a positive number, got " + lr);
    }
  }

  /**
   * Without a schedule, a positive constant rate; with one, the rate must be the schedule's
   * initial rate (what {@link Optimizer#learningRate()} reports).
   */
  static void checkLearningRate(double lr, LearningRateSchedule schedule) {
    if (schedule == null) {
      checkLearningRate(lr);
    } else if (Double.compare(lr, schedule.initialLearningRate()) != 0) {
      throw new IllegalArgumentException("learning_rate " + lr + " is not the initial rate "
          + schedule.initialLearningRate() + " of the schedule " + schedule + "; build the"
          + " optimizer from the schedule alone");
    }
  }

  /** The initial rate of a schedule, which must not be null. */
  static double initial(LearningRateSchedule schedule) {
    return Objects.requireNonNull(schedule, "schedule").initialLearningRate();
  }

  /** {@code null} as no clipping. */
  static GradientClipping clipping(GradientClipping clipping) {
    return clipping == null ? GradientClipping.NONE : clipping;
  }

  static void checkDecay(String what, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
    }
  }

  static void checkEpsilon(String what, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(what + " epsilon must be positive, got " + value);
    }
  }
}
