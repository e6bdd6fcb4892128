package dev.backplane.model;

/** How much {@link Sequential#fit} prints, as Keras's {@code verbose}. */
public enum Verbosity {
  /** Nothing. Keras {@code verbose=0}. */
  SILENT,
  /** A live progress bar. Keras {@code verbose=1}. */
  PROGRESS_BAR,
  /** One line per epoch. Keras {@code verbose=2}. */
  ONE_LINE_PER_EPOCH,
  /** A live bar on a terminal, one line per epoch otherwise. Keras {@code verbose="auto"}. */
  AUTO;

  /**
   * Keras's numeric form: 0, 1 or 2.
   *
   * @throws IllegalArgumentException for other values
   */
  public static Verbosity of(int level) {
    switch (level) {
      case 0:
        return SILENT;
      case 1:
        return PROGRESS_BAR;
      case 2:
        return ONE_LINE_PER_EPOCH;
      default:
        throw new IllegalArgumentException("verbose must be 0, 1 or 2 (or AUTO), got " + level);
    }
  }

  Verbosity resolve(boolean terminal) {
    return this == AUTO ? (terminal ? PROGRESS_BAR : ONE_LINE_PER_EPOCH) : this;
  }
}
