package dev.backplane.model;

import java.util.Locale;
import java.util.Objects;

/**
 * A loss with Keras's name, options and definition. Per sample (then averaged over the batch,
 * Keras's {@code sum_over_batch_size} reduction), with {@code eps = 1e-7}:
 *
 * <ul>
 *   <li>{@code binary_crossentropy}: {@code p = clip(out, eps, 1 - eps)},
 *       {@code mean_j -(y log p + (1 - y) log(1 - p))}; with {@code fromLogits} the stable
 *       {@code mean_j max(z, 0) - z y + log(1 + exp(-|z|))}.
 *   <li>{@code categorical_crossentropy}: {@code p = clip(out / sum(out), eps, 1 - eps)},
 *       {@code -sum_j y_j log p_j}; with {@code fromLogits} {@code -sum_j y_j log_softmax(z)_j}.
 *   <li>{@code sparse_categorical_crossentropy}: as categorical with a one-hot of the integer
 *       label.
 *   <li>{@code mean_squared_error}: {@code mean_j (y - out)^2}; {@code mean_absolute_error}:
 *       {@code mean_j |y - out|}.
 * </ul>
 *
 * <p>Where the clip is active its gradient is zero, as in Keras.
 *
 * @param type which loss
 * @param fromLogits whether the model outputs logits (cross-entropies only)
 */
public record Loss(Type type, boolean fromLogits) {
  /** Clip epsilon of the probability losses (Keras's {@code backend.epsilon()}). */
  public static final double EPSILON = 1e-7;

  /** The supported loss functions. */
  public enum Type {
    /** Keras {@code binary_crossentropy}. */
    BINARY_CROSSENTROPY("binary_crossentropy"),
    /** Keras {@code categorical_crossentropy} (one-hot labels). */
    CATEGORICAL_CROSSENTROPY("categorical_crossentropy"),
    /** Keras {@code sparse_categorical_crossentropy} (integer labels). */
    SPARSE_CATEGORICAL_CROSSENTROPY("sparse_categorical_crossentropy"),
    /** Keras {@code mean_squared_error}, alias {@code mse}. */
    MEAN_SQUARED_ERROR("mean_squared_error"),
    /** Keras {@code mean_absolute_error}, alias {@code mae}. */
    MEAN_ABSOLUTE_ERROR("mean_absolute_error");

    private final String kerasName;

    Type(String kerasName) {
      this.kerasName = kerasName;
    }

    /** Keras's name. */
    public String kerasName() {
      return kerasName;
    }
  }

  /** {@code binary_crossentropy} on probabilities. */
  public static final Loss BINARY_CROSSENTROPY = new Loss(Type.BINARY_CROSSENTROPY, false);
  /** {@code categorical_crossentropy} on probabilities. */
  public static final Loss CATEGORICAL_CROSSENTROPY =
      new Loss(Type.CATEGORICAL_CROSSENTROPY, false);
  /** {@code sparse_categorical_crossentropy} on probabilities. */
  public static final Loss SPARSE_CATEGORICAL_CROSSENTROPY =
      new Loss(Type.SPARSE_CATEGORICAL_CROSSENTROPY, false);
  /** {@code mean_squared_error}. */
  public static final Loss MEAN_SQUARED_ERROR = new Loss(Type.MEAN_SQUARED_ERROR, false);
  /** {@code mean_absolute_error}. */
  public static final Loss MEAN_ABSOLUTE_ERROR = new Loss(Type.MEAN_ABSOLUTE_ERROR, false);

  /** Validates the options. */
  public Loss {
    Objects.requireNonNull(type, "type");
    if (fromLogits && !type.kerasName.endsWith("crossentropy")) {
      throw new IllegalArgumentException("Loss " + type.kerasName + " has no from_logits option");
    }
  }

  /** The same loss on logits instead of probabilities. */
  public Loss withFromLogits() {
    return new Loss(type, true);
  }

  /** Keras's name, e.g. {@code "binary_crossentropy"}. */
  public String kerasName() {
    return type.kerasName;
  }

  /** Whether labels are class indices (one per sample) instead of one value per output. */
  public boolean sparseLabels() {
    return type == Type.SPARSE_CATEGORICAL_CROSSENTROPY;
  }

  /**
   * Looks a loss up by Keras name or alias ({@code mse}, {@code mae}), case-insensitively.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Loss of(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (key) {
      case "mse":
        return MEAN_SQUARED_ERROR;
      case "mae":
        return MEAN_ABSOLUTE_ERROR;
      default:
        for (Type t : Type.values()) {
          if (t.kerasName.equals(key)) {
            return new Loss(t, false);
          }
        }
    }
    throw new IllegalArgumentException("Unknown loss '" + name + "'. Expected one of "
        + "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, "
        + "mean_squared_error (mse), mean_absolute_error (mae)");
  }

  @Override
  public String toString() {
    return kerasName() + (fromLogits ? "(from_logits=True)" : "");
  }
}
