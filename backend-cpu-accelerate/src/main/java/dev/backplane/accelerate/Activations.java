package dev.backplane.accelerate;

import dev.backplane.model.Activation;
import dev.backplane.model.Erf;

/**
 * Activation functions and their derivatives on one row, with the formulas of
 * {@link Activation}. Values are stored as floats; transcendental functions are evaluated in
 * double. Derivatives are taken from the output where it determines them (as TensorFlow does), so
 * only GELU needs the input kept.
 *
 * <p>The piecewise ones are written without branches ({@code min}/{@code max} and a 0-or-1 step
 * factor): half the units of a layer are active in no predictable pattern, and a branch per
 * element mispredicted often enough to cost ~5 ns an element, seven times the branch-free loop.
 */
final class Activations {
  private static final float LEAKY_SLOPE = (float) Activation.LEAKY_RELU_SLOPE;
  private static final float ELU_ALPHA = (float) Activation.ELU_ALPHA;

  static {
    if (Activation.ELU_ALPHA != 1) {
      throw new IllegalStateException("The ELU derivative here assumes alpha = 1");
    }
  }
  private static final double INV_SQRT2 = 1 / Math.sqrt(2);
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
  /** {@code 2^254}: any positive float times it is at least 1 (or infinite). */
  private static final float HUGE = 0x1p127f;

  private Activations() {}

  /**
   * The relative cost of one element of {@code f}, forward or backward, for deciding whether to
   * split work over threads: 1 for the piecewise-linear ones, 16 for those that evaluate a
   * transcendental function.
   */
  static int cost(Activation f) {
    return switch (f) {
      case LINEAR, RELU, LEAKY_RELU -> 1;
      default -> 16;
    };
  }

  /** Whether {@link #backward} reads the input {@code z} (else only the output). */
  static boolean derivativeNeedsInput(Activation f) {
    return f == Activation.GELU;
  }

  /** {@code a = f(z)} on {@code [0, len)}; {@code z} and {@code a} must be different arrays. */
  static void forward(Activation f, float[] z, float[] a, int len) {
    switch (f) {
      case LINEAR:
        System.arraycopy(z, 0, a, 0, len);
        break;
      case RELU:
        for (int j = 0; j < len; j++) {
          a[j] = Math.max(z[j], 0f);
        }
        break;
      case LEAKY_RELU:
        // x > 0 ? x : 0.2 x, since 0 < 0.2 < 1.
        for (int j = 0; j < len; j++) {
          a[j] = Math.max(z[j], LEAKY_SLOPE * z[j]);
        }
        break;
      case SIGMOID:
        for (int j = 0; j < len; j++) {
          a[j] = (float) (1 / (1 + Math.exp(-z[j])));
        }
        break;
      case TANH:
        for (int j = 0; j < len; j++) {
          a[j] = (float) Math.tanh(z[j]);
        }
        break;
      case ELU:
        for (int j = 0; j < len; j++) {
          float x = z[j];
          a[j] = x > 0 ? x : (float) (Activation.ELU_ALPHA * Math.expm1(x));
        }
        break;
      case GELU:
        for (int j = 0; j < len; j++) {
          double x = z[j];
          a[j] = (float) (0.5 * x * (1 + Erf.erf(x * INV_SQRT2)));
        }
        break;
      case SOFTMAX:
        softmax(z, a, len);
        break;
      default:
        throw new IllegalStateException("Unhandled activation " + f);
    }
  }

  /** Row softmax: {@code exp(z - max) / sum exp(z - max)}, the sum in double. */
  static void softmax(float[] z, float[] a, int len) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < len; j++) {
      max = Math.max(max, z[j]);
    }
    double sum = 0;
    for (int j = 0; j < len; j++) {
      double e = Math.exp((double) z[j] - max);
      a[j] = (float) e;
      sum += e;
    }
    double inv = 1 / sum;
    for (int j = 0; j < len; j++) {
      a[j] = (float) (a[j] * inv);
    }
  }

  /** {@code x > 0 ? 1 : 0} without a branch (NaN stays NaN). */
  private static float step(float x) {
    return Math.min(Math.max(x, 0f) * HUGE * HUGE, 1f);
  }

  /**
   * Turns {@code g = dL/da} into {@code dL/dz} in place, given the input {@code z} (read only
   * when {@link #derivativeNeedsInput}) and the output {@code a = f(z)}.
   */
  static void backward(Activation f, float[] z, float[] a, float[] g, int len) {
    switch (f) {
      case LINEAR:
        break;
      case RELU:
        for (int j = 0; j < len; j++) {
          g[j] = g[j] * step(a[j]);
        }
        break;
      case LEAKY_RELU:
        for (int j = 0; j < len; j++) {
          float s = step(a[j]);
          g[j] = g[j] * (s + LEAKY_SLOPE * (1 - s));
        }
        break;
      case SIGMOID:
        for (int j = 0; j < len; j++) {
          g[j] = g[j] * (a[j] * (1 - a[j]));
        }
        break;
      case TANH:
        for (int j = 0; j < len; j++) {
          g[j] = g[j] * (1 - a[j] * a[j]);
        }
        break;
      case ELU:
        // a > 0 ? 1 : a + alpha, which is min(a, 0) + 1 for Keras's alpha = 1.
        for (int j = 0; j < len; j++) {
          g[j] = g[j] * (Math.min(a[j], 0f) + ELU_ALPHA);
        }
        break;
      case GELU:
        for (int j = 0; j < len; j++) {
          double x = z[j];
          double cdf = 0.5 * (1 + Erf.erf(x * INV_SQRT2));
          double pdf = Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
          g[j] = (float) (g[j] * (cdf + x * pdf));
        }
        break;
      case SOFTMAX:
        double dot = 0;
        for (int j = 0; j < len; j++) {
          dot += (double) a[j] * g[j];
        }
        for (int j = 0; j < len; j++) {
          g[j] = (float) (a[j] * (g[j] - dot));
        }
        break;
      default:
        throw new IllegalStateException("Unhandled activation " + f);
    }
  }
}
