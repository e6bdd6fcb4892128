package dev.backplane.optimizer;

/**
 * Keras's gradient clipping options, shared by every optimizer: at most one of {@code clipnorm},
 * {@code clipvalue} and {@code global_clipnorm} is set (Keras raises otherwise); {@code 0} means
 * unset.
 *
 * <ul>
 *   <li>{@code clipnorm}: each parameter's gradient {@code g} becomes
 *       {@code g * clipnorm / max(||g||, clipnorm)}, {@code ||g||} its L2 norm over all elements.
 *   <li>{@code clipvalue}: each element is clipped to {@code [-clipvalue, clipvalue]}.
 *   <li>{@code global_clipnorm}: every gradient is scaled by
 *       {@code global_clipnorm * min(1 / n, 1 / global_clipnorm)}, {@code n} the L2 norm of all
 *       the gradients together (NaN if {@code n} is not finite). This needs every gradient at
 *       once: see {@link Optimizer#clipGradients}.
 * </ul>
 *
 * @param clipnorm the per-parameter norm bound, or 0
 * @param clipvalue the per-element bound, or 0
 * @param globalClipnorm the bound on the norm of all gradients together, or 0
 */
public record GradientClipping(double clipnorm, double clipvalue, double globalClipnorm) {
  /** No clipping, the default. */
  public static final GradientClipping NONE = new GradientClipping(0, 0, 0);

  /** Validates: each value finite and {@code >= 0}, at most one of them set. */
  public GradientClipping {
    check("clipnorm", clipnorm);
    check("clipvalue", clipvalue);
    check("global_clipnorm", globalClipnorm);
    int set = (clipnorm > 0 ? 1 : 0) + (clipvalue > 0 ? 1 : 0) + (globalClipnorm > 0 ? 1 : 0);
    if (set > 1) {
      throw new IllegalArgumentException("Only one of clipnorm, clipvalue and global_clipnorm can"
          + " be set. Received: clipnorm=" + clipnorm + ", clipvalue=" + clipvalue
          + ", global_clipnorm=" + globalClipnorm);
    }
  }

  /** Keras's {@code clipnorm=value}: per-parameter L2 norm clipping. */
  public static GradientClipping clipnorm(double value) {
    return new GradientClipping(positive("clipnorm", value), 0, 0);
  }

  /** Keras's {@code clipvalue=value}: element-wise clipping to {@code [-value, value]}. */
  public static GradientClipping clipvalue(double value) {
    return new GradientClipping(0, positive("clipvalue", value), 0);
  }

  /** Keras's {@code global_clipnorm=value}: clipping by the L2 norm of all gradients together. */
  public static GradientClipping globalClipnorm(double value) {
    return new GradientClipping(0, 0, positive("global_clipnorm", value));
  }

  /** Whether any clipping is set. */
  public boolean isSet() {
    return clipnorm > 0 || clipvalue > 0 || globalClipnorm > 0;
  }

  private static double positive(String what, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(what + " must be a positive number, got " + value);
    }
    return value;
  }

  private static void check(String what, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be a finite number >= 0 (0 for unset),"
          + " got " + value);
    }
  }
}
