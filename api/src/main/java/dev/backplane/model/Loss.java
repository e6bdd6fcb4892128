package dev.backplane.model;

import dev.backplane.ops.DType;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
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
 * <p>A custom loss ({@link #custom}) is a per-sample function written with
 * {@link dev.backplane.ops.Ops}; it runs, with its gradient, on every backend.
 *
 * @param type which loss
 * @param fromLogits whether the model outputs logits (cross-entropies only)
 * @param customName the name of a custom loss, else {@code null}
 * @param function the per-sample function of a custom loss, else {@code null}
 */
public record Loss(Type type, boolean fromLogits, String customName, PerSample function) {
  /**
   * A per-sample loss written on the op set: from labels {@code y} {@code (None, outputs)} and
   * model outputs {@code (None, outputs)} to one value per sample, {@code (None,)}.
   */
  @FunctionalInterface
  public interface PerSample {
    /** Builds the per-sample loss. */
    Node build(Ops ops, Node y, Node out);
  }

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
    MEAN_ABSOLUTE_ERROR("mean_absolute_error"),
    /** A user's loss written on the op set ({@link Loss#custom}). */
    CUSTOM("custom");

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

  /** A built-in loss. */
  public Loss(Type type, boolean fromLogits) {
    this(type, fromLogits, null, null);
  }

  /**
   * A custom loss: labels have one value per output (dense labels) and are only checked to be
   * finite.
   *
   * @param name a name for summaries and files, e.g. {@code "huber"}
   */
  public static Loss custom(String name, PerSample function) {
    Objects.requireNonNull(function, "function");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("A custom loss needs a name");
    }
    return new Loss(Type.CUSTOM, false, name.trim(), function);
  }

  /** Validates the options. */
  public Loss {
    Objects.requireNonNull(type, "type");
    if ((type == Type.CUSTOM) != (function != null)) {
      throw new IllegalArgumentException("Use Loss.custom(name, function) for a custom loss");
    }
    if (fromLogits && !type.kerasName.endsWith("crossentropy")) {
      throw new IllegalArgumentException("Loss " + type.kerasName + " has no from_logits option");
    }
  }

  /** The same loss on logits instead of probabilities. */
  public Loss withFromLogits() {
    return new Loss(type, true);
  }

  /** Keras's name, e.g. {@code "binary_crossentropy"}, or a custom loss's name. */
  public String kerasName() {
    return type == Type.CUSTOM ? customName : type.kerasName;
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
          if (t != Type.CUSTOM && t.kerasName.equals(key)) {
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

  /**
   * The per-sample loss as a graph: {@code (None,)} from the labels {@code y} and the model's
   * {@code (None, outputs)} output, by the formulas above.
   */
  public Node build(Ops ops, Node y, Node out) {
    int outputs = out.dim(-1);
    Node one = ops.scalar(1);
    switch (type) {
      case BINARY_CROSSENTROPY: {
        if (fromLogits) {
          Node z = out;
          Node terms = ops.add(ops.sub(ops.relu(z), ops.mul(z, y)),
              ops.log1p(ops.exp(ops.neg(ops.abs(z)))));
          return ops.mean(terms, -1, false);
        }
        Node p = ops.clip(out, EPSILON, 1 - EPSILON);
        Node terms = ops.add(ops.mul(y, ops.log(p)),
            ops.mul(ops.sub(one, y), ops.log(ops.sub(one, p))));
        return ops.neg(ops.mean(terms, -1, false));
      }
      case CATEGORICAL_CROSSENTROPY:
        return crossEntropy(ops, y, out);
      case SPARSE_CATEGORICAL_CROSSENTROPY: {
        Node labels = ops.reshape(ops.cast(y, DType.INT32), -1);
        return crossEntropy(ops, ops.oneHot(labels, outputs), out);
      }
      case MEAN_SQUARED_ERROR:
        return ops.mean(ops.square(ops.sub(y, out)), -1, false);
      case MEAN_ABSOLUTE_ERROR:
        return ops.mean(ops.abs(ops.sub(y, out)), -1, false);
      case CUSTOM:
        return function.build(ops, y, out);
      default:
        throw new IllegalStateException("Unhandled loss " + type);
    }
  }

  private Node crossEntropy(Ops ops, Node y, Node out) {
    if (fromLogits) {
      return ops.neg(ops.sum(ops.mul(y, ops.logSoftmax(out, -1)), -1, false));
    }
    Node p = ops.div(out, ops.sum(out, -1, true));
    p = ops.clip(p, EPSILON, 1 - EPSILON);
    return ops.neg(ops.sum(ops.mul(y, ops.log(p)), -1, false));
  }
}
