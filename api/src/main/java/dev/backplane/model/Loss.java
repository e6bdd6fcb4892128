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
 *   <li>{@code hinge}: labels in {0, 1} become {-1, 1} (when every label of the batch is 0 or
 *       1), then {@code mean_j max(1 - y out, 0)}.
 *   <li>{@code categorical_hinge}: {@code max(max_j (1 - y_j) out_j - sum_j y_j out_j + 1, 0)}.
 *   <li>{@code huber} ({@code delta = 1}): with {@code e = |out - y|},
 *       {@code mean_j (e <= delta ? e^2 / 2 : delta e - delta^2 / 2)}.
 *   <li>{@code kl_divergence}: {@code sum_j y' log(y' / p)} with {@code y' = clip(y, eps, 1)},
 *       {@code p = clip(out, eps, 1)}.
 *   <li>{@code log_cosh}: with {@code d = out - y}, {@code mean_j d + softplus(-2 d) - log 2}.
 *   <li>{@code poisson}: {@code mean_j out - y log(out + eps)}.
 *   <li>{@code cosine_similarity}: {@code -sum_j l2n(y)_j l2n(out)_j} with
 *       {@code l2n(v) = v / sqrt(max(sum v^2, 1e-12))}.
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
 * @param sampleWeighted whether the labels carry each sample's weight as one extra, last column
 *     (see {@link #withSampleWeights()}); {@code false} for every loss a user names
 */
public record Loss(Type type, boolean fromLogits, String customName, PerSample function,
    boolean sampleWeighted) {
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
    CUSTOM("custom"),
    /** Keras {@code categorical_hinge}. */
    CATEGORICAL_HINGE("categorical_hinge"),
    /** Keras {@code hinge}. */
    HINGE("hinge"),
    /** Keras {@code huber} with {@code delta = 1}. */
    HUBER("huber"),
    /** Keras {@code kl_divergence}, alias {@code kld}. */
    KL_DIVERGENCE("kl_divergence"),
    /** Keras {@code log_cosh}, alias {@code logcosh}. */
    LOG_COSH("log_cosh"),
    /** Keras {@code poisson}. */
    POISSON("poisson"),
    /** Keras {@code cosine_similarity}. */
    COSINE_SIMILARITY("cosine_similarity");

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

  /** A loss without sample weights. */
  public Loss(Type type, boolean fromLogits, String customName, PerSample function) {
    this(type, fromLogits, customName, function, false);
  }

  /**
   * This loss with Keras's {@code sample_weight}: the labels fed to the programs carry one more
   * column, each sample's weight, and the loss is {@code sum_i w_i l_i / n} over a batch of
   * {@code n} (Keras's {@code sum_over_batch_size}: divided by the batch size, not by the
   * weights' sum). The api compiles this variant when {@code fit} or {@code evaluate} is given
   * weights and appends the column itself; a backend sees only a wider {@code y}.
   */
  public Loss withSampleWeights() {
    return new Loss(type, fromLogits, customName, function, true);
  }

  /** This loss without the sample-weight column. */
  public Loss withoutSampleWeights() {
    return new Loss(type, fromLogits, customName, function, false);
  }

  /**
   * Label values per row the programs' {@code y} input takes for a model with {@code outputs}
   * outputs: 1 for class indices, else {@code outputs}; one more with sample weights.
   */
  public int labelColumns(int outputs) {
    return (sparseLabels() ? 1 : outputs) + (sampleWeighted ? 1 : 0);
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
    return new Loss(type, true, customName, function, sampleWeighted);
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
      case "kld":
      case "kullback_leibler_divergence":
        return new Loss(Type.KL_DIVERGENCE, false);
      case "logcosh":
        return new Loss(Type.LOG_COSH, false);
      default:
        for (Type t : Type.values()) {
          if (t != Type.CUSTOM && t.kerasName.equals(key)) {
            return new Loss(t, false);
          }
        }
    }
    throw new IllegalArgumentException("Unknown loss '" + name + "'. Expected one of "
        + "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, "
        + "mean_squared_error (mse), mean_absolute_error (mae), categorical_hinge, hinge, huber,"
        + " kl_divergence (kld), log_cosh (logcosh), poisson, cosine_similarity");
  }

  @Override
  public String toString() {
    return kerasName() + (fromLogits ? "(from_logits=True)" : "")
        + (sampleWeighted ? " with sample weights" : "");
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
      case HINGE: {
        Node isZero = ops.equal(y, ops.scalar(0));
        Node isOne = ops.equal(y, ops.scalar(1));
        Node notBinary = ops.max(ops.sub(one, ops.add(isZero, isOne)), allAxes(y), false);
        Node labels = ops.where(ops.greater(notBinary, ops.scalar(0)), y,
            ops.sub(ops.mul(ops.scalar(2), y), one));
        return ops.mean(ops.relu(ops.sub(one, ops.mul(labels, out))), -1, false);
      }
      case CATEGORICAL_HINGE: {
        Node pos = ops.sum(ops.mul(y, out), -1, false);
        Node neg = ops.max(ops.mul(ops.sub(one, y), out), new int[] {out.rank() - 1}, false);
        return ops.relu(ops.add(ops.sub(neg, pos), one));
      }
      case HUBER: {
        Node e = ops.abs(ops.sub(out, y));
        Node quadratic = ops.mul(ops.scalar(0.5), ops.square(e));
        Node linear = ops.sub(e, ops.scalar(0.5));
        return ops.mean(ops.where(ops.lessEqual(e, one), quadratic, linear), -1, false);
      }
      case KL_DIVERGENCE: {
        Node t = ops.clip(y, EPSILON, 1);
        Node p = ops.clip(out, EPSILON, 1);
        return ops.sum(ops.mul(t, ops.log(ops.div(t, p))), -1, false);
      }
      case LOG_COSH: {
        Node d = ops.sub(out, y);
        Node m = ops.mul(ops.scalar(-2), d);
        Node softplus = ops.add(ops.relu(m), ops.log1p(ops.exp(ops.neg(ops.abs(m)))));
        return ops.mean(ops.sub(ops.add(d, softplus), ops.scalar(Math.log(2))), -1, false);
      }
      case POISSON:
        return ops.mean(ops.sub(out, ops.mul(y, ops.log(ops.add(out, ops.scalar(EPSILON))))),
            -1, false);
      case COSINE_SIMILARITY:
        return ops.neg(ops.sum(ops.mul(l2Normalize(ops, y), l2Normalize(ops, out)), -1, false));
      default:
        throw new IllegalStateException("Unhandled loss " + type);
    }
  }

  private static Node l2Normalize(Ops ops, Node v) {
    Node sq = ops.sum(ops.square(v), -1, true);
    return ops.mul(v, ops.rsqrt(ops.maximum(sq, ops.scalar(1e-12))));
  }

  private static int[] allAxes(Node x) {
    int[] a = new int[x.rank()];
    for (int i = 0; i < a.length; i++) {
      a[i] = i;
    }
    return a;
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
