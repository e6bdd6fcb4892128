package dev.backplane.optimizer;

/** The argument checks shared by the schedules. */
final class Schedules {
  private Schedules() {}

  static void checkRate(String what, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + value);
    }
  }

  static void checkSteps(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("Argument `" + what + "` must be > 0. Received: "
          + what + "=" + value);
    }
  }
}
