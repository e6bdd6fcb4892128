package dev.backplane.model;

import dev.backplane.ops.Ops;

import dev.backplane.ops.Node;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Activation functions, with Keras's names and definitions. Element-wise ones define their value
 * here ({@link #apply(double)}) so every backend and every test agree on the formula; softmax acts
 * on a whole row (over the last axis): {@code exp(x_i - max) / sum_j exp(x_j - max)}.
 */
public enum Activation {
  /** {@code x}. */
  LINEAR("linear"),
  /** {@code max(x, 0)}. */
  RELU("relu"),
  /** {@code 1 / (1 + exp(-x))}. */
  SIGMOID("sigmoid"),
  /** {@code tanh(x)}. */
  TANH("tanh"),
  /** Row-wise softmax over the last axis. */
  SOFTMAX("softmax"),
  /** {@code x > 0 ? x : alpha (exp(x) - 1)} with Keras's {@code alpha = 1}. */
  ELU("elu"),
  /** {@code x > 0 ? x : 0.2 x}: Keras 3's {@code leaky_relu} default negative slope. */
  LEAKY_RELU("leaky_relu"),
  /** Exact GELU, Keras's default: {@code x/2 (1 + erf(x / sqrt 2))}. */
  GELU("gelu"),
  /** {@code log(1 + exp(x))}, computed as {@code max(x, 0) + log1p(exp(-|x|))}. */
  SOFTPLUS("softplus"),
  /** {@code x / (|x| + 1)}. */
  SOFTSIGN("softsign"),
  /** {@code scale · (x > 0 ? x : alpha (exp(x) - 1))} with Keras's alpha and scale. */
  SELU("selu"),
  /** {@code x · sigmoid(x)}; also called {@code silu}. */
  SWISH("swish"),
  /** Keras 3's {@code relu6(x + 3) / 6}: 0 below -3, 1 above 3, {@code x / 6 + 0.5} between. */
  HARD_SIGMOID("hard_sigmoid"),
  /** {@code x · hard_sigmoid(x)}; also called {@code hard_silu}. */
  HARD_SWISH("hard_swish"),
  /** {@code min(max(x, 0), 6)}. */
  RELU6("relu6"),
  /** {@code exp(x)}. */
  EXPONENTIAL("exponential"),
  /** Row-wise log-softmax over the last axis. */
  LOG_SOFTMAX("log_softmax"),
  /** {@code x · tanh(softplus(x))}. */
  MISH("mish");

  /** SELU's alpha (Keras). */
  public static final double SELU_ALPHA = 1.67326324;
  /** SELU's scale (Keras). */
  public static final double SELU_SCALE = 1.05070098;

  /** Negative slope of {@link #LEAKY_RELU} (Keras 3 {@code keras.activations.leaky_relu}). */
  public static final double LEAKY_RELU_SLOPE = 0.2;
  /** Alpha of {@link #ELU} (Keras default). */
  public static final double ELU_ALPHA = 1.0;

  private final String kerasName;

  Activation(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Keras's name, e.g. {@code "relu"}. */
  public String kerasName() {
    return kerasName;
  }

  /** Whether the function acts on each element alone (all but softmax and log_softmax). */
  public boolean elementwise() {
    return this != SOFTMAX && this != LOG_SOFTMAX;
  }

  /**
   * The reference value of an element-wise activation.
   *
   * @throws IllegalStateException for {@link #SOFTMAX}, which acts on rows
   */
  public double apply(double x) {
    switch (this) {
      case LINEAR:
        return x;
      case RELU:
        return x > 0 ? x : 0;
      case SIGMOID:
        return 1 / (1 + Math.exp(-x));
      case TANH:
        return Math.tanh(x);
      case ELU:
        return x > 0 ? x : ELU_ALPHA * Math.expm1(x);
      case LEAKY_RELU:
        return x > 0 ? x : LEAKY_RELU_SLOPE * x;
      case GELU:
        return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
      case SOFTPLUS:
        return softplus(x);
      case SOFTSIGN:
        return x / (Math.abs(x) + 1);
      case SELU:
        return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
      case SWISH:
        return x / (1 + Math.exp(-x));
      case HARD_SIGMOID:
        return Math.min(Math.max(x + 3, 0), 6) / 6;
      case HARD_SWISH:
        return x * Math.min(Math.max(x + 3, 0), 6) / 6;
      case RELU6:
        return Math.min(Math.max(x, 0), 6);
      case EXPONENTIAL:
        return Math.exp(x);
      case MISH:
        return x * Math.tanh(softplus(x));
      default:
        throw new IllegalStateException(this + " acts on rows, not elements");
    }
  }

  private static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /**
   * Looks an activation up by its Keras name ({@code "relu"}) or alias ({@code "silu"},
   * {@code "hard_silu"}), case-insensitively; {@code null} or {@code ""} is linear, as in Keras.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Activation of(String name) {
    if (name == null || name.isBlank()) {
      return LINEAR;
    }
    String key = name.trim().toLowerCase(Locale.ROOT);
    if (key.equals("silu")) {
      return SWISH;
    }
    if (key.equals("hard_silu")) {
      return HARD_SWISH;
    }
    for (Activation a : values()) {
      if (a.kerasName.equals(key)) {
        return a;
      }
    }
    throw new IllegalArgumentException("Unknown activation '" + name + "'. Expected one of "
        + Arrays.stream(values()).map(Activation::kerasName).collect(Collectors.joining(", ")));
  }

  /** Applies the activation to {@code x} with the op set (softmax over the last axis). */
  public Node build(Ops ops, Node x) {
    switch (this) {
      case LINEAR:
        return x;
      case RELU:
        return ops.relu(x);
      case SIGMOID:
        return ops.sigmoid(x);
      case TANH:
        return ops.tanh(x);
      case SOFTMAX:
        return ops.softmax(x, -1);
      case ELU:
        return ops.where(ops.greater(x, ops.scalar(0)), x,
            ops.mul(ops.scalar(ELU_ALPHA), ops.expm1(ops.minimum(x, ops.scalar(0)))));
      case LEAKY_RELU:
        return ops.where(ops.greater(x, ops.scalar(0)), x,
            ops.mul(ops.scalar(LEAKY_RELU_SLOPE), x));
      case GELU:
        return ops.mul(ops.mul(ops.scalar(0.5), x),
            ops.add(ops.scalar(1), ops.erf(ops.mul(x, ops.scalar(1 / Math.sqrt(2))))));
      case SOFTPLUS:
        return softplus(ops, x);
      case SOFTSIGN:
        return ops.div(x, ops.add(ops.abs(x), ops.scalar(1)));
      case SELU:
        return ops.mul(ops.scalar(SELU_SCALE), ops.where(ops.greater(x, ops.scalar(0)), x,
            ops.mul(ops.scalar(SELU_ALPHA), ops.expm1(ops.minimum(x, ops.scalar(0))))));
      case SWISH:
        return ops.mul(x, ops.sigmoid(x));
      case HARD_SIGMOID:
        return hardSigmoid(ops, x);
      case HARD_SWISH:
        return ops.mul(x, hardSigmoid(ops, x));
      case RELU6:
        return ops.clip(x, 0, 6);
      case EXPONENTIAL:
        return ops.exp(x);
      case LOG_SOFTMAX:
        return ops.logSoftmax(x, -1);
      case MISH:
        return ops.mul(x, ops.tanh(softplus(ops, x)));
      default:
        throw new IllegalStateException("Unhandled activation " + this);
    }
  }

  private static Node softplus(Ops ops, Node x) {
    return ops.add(ops.relu(x), ops.log1p(ops.exp(ops.neg(ops.abs(x)))));
  }

  private static Node hardSigmoid(Ops ops, Node x) {
    return ops.mul(ops.clip(ops.add(x, ops.scalar(3)), 0, 6), ops.scalar(1.0 / 6));
  }
}
