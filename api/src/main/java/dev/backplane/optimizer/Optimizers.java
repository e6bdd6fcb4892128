package dev.backplane.optimizer;

import java.util.Locale;

/** Looks optimizers up by Keras name, and holds the shared argument checks. */
public final class Optimizers {
  private Optimizers() {}

  /**
   * The optimizer Keras creates for this name, with its defaults: {@code sgd}, {@code adam},
   * {@code rmsprop} (case-insensitive).
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
      default:
        throw new IllegalArgumentException(
            "Unknown optimizer '" + name + "'. Expected one of sgd, adam, rmsprop");
    }
  }

  static void checkLearningRate(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning_rate must be a positive number, got " + lr);
    }
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
