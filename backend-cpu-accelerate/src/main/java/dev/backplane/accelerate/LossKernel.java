package dev.backplane.accelerate;

import dev.backplane.model.Activation;
import dev.backplane.model.Loss;

/**
 * A loss with the definitions of {@link Loss}, per sample, evaluated in double: its value and its
 * gradient with respect to the model output.
 *
 * <p>Fused: when the model ends in sigmoid with {@code binary_crossentropy}, or in softmax with
 * (sparse) {@code categorical_crossentropy}, on probabilities, the gradient is given directly with
 * respect to the pre-activation. The fused forms are the chain rule through the activation
 * simplified exactly, including the clip (an element whose probability is clipped contributes
 * no gradient):
 *
 * <ul>
 *   <li>sigmoid + BCE: {@code (a - y) / outputs} where {@code eps <= a <= 1 - eps}, else 0;
 *   <li>softmax + CE, with {@code q = a / sum(a)} and {@code U} the unclipped classes:
 *       {@code dz_i = q_i · sum_{j in U} y_j - (i in U ? y_i : 0)}.
 * </ul>
 */
final class LossKernel {
  private static final double EPS = Loss.EPSILON;

  private final Loss.Type type;
  private final boolean fromLogits;
  private final boolean fused;
  private final int outputs;

  /**
   * @param loss the loss
   * @param lastActivation the activation the model ends with, or {@code null} if none
   * @param outputs values per sample of the model output
   */
  LossKernel(Loss loss, Activation lastActivation, int outputs) {
    this.type = loss.type();
    this.fromLogits = loss.fromLogits();
    this.outputs = outputs;
    this.fused = !fromLogits
        && ((type == Loss.Type.BINARY_CROSSENTROPY && lastActivation == Activation.SIGMOID)
        || (lastActivation == Activation.SOFTMAX && (type == Loss.Type.CATEGORICAL_CROSSENTROPY
        || type == Loss.Type.SPARSE_CATEGORICAL_CROSSENTROPY)));
  }

  /** Whether {@link #evaluate} gives the gradient with respect to the last pre-activation. */
  boolean fused() {
    return fused;
  }

  /** Label values per sample: 1 for sparse labels, else the output size. */
  int labelSize() {
    return type == Loss.Type.SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : outputs;
  }

  /**
   * The loss of one sample and, when {@code grad} is not {@code null}, {@code scale} times its
   * gradient (see {@link #fused()}).
   *
   * @param out the sample's output, {@code outputs} values
   * @param y the labels array; the sample's labels start at {@code yOffset}
   * @param row the sample's row in the batch, for error messages
   */
  double evaluate(float[] out, float[] y, int yOffset, int row, float scale, float[] grad) {
    switch (type) {
      case BINARY_CROSSENTROPY:
        return fromLogits ? bceLogits(out, y, yOffset, scale, grad)
            : bce(out, y, yOffset, scale, grad);
      case CATEGORICAL_CROSSENTROPY:
        return fromLogits ? cceLogits(out, y, yOffset, -1, scale, grad)
            : cce(out, y, yOffset, -1, scale, grad);
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        int label = label(y[yOffset], row);
        return fromLogits ? cceLogits(out, y, yOffset, label, scale, grad)
            : cce(out, y, yOffset, label, scale, grad);
      case MEAN_SQUARED_ERROR:
        return mse(out, y, yOffset, scale, grad);
      case MEAN_ABSOLUTE_ERROR:
        return mae(out, y, yOffset, scale, grad);
      default:
        throw new IllegalStateException("Unhandled loss " + type);
    }
  }

  private int label(float value, int row) {
    int label = (int) value;
    if (label != value || label < 0 || label >= outputs) {
      throw new IllegalArgumentException("Sparse label " + value + " of sample " + row
          + " is not a class index from 0 to " + (outputs - 1));
    }
    return label;
  }

  private static boolean clipped(double p) {
    return p < EPS || p > 1 - EPS;
  }

  private double bce(float[] out, float[] y, int yo, float scale, float[] grad) {
    double sum = 0;
    double s = (double) scale / outputs;
    for (int j = 0; j < outputs; j++) {
      double o = out[j];
      double t = y[yo + j];
      double p = Math.min(Math.max(o, EPS), 1 - EPS);
      sum -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
      if (grad != null) {
        double g;
        if (clipped(o)) {
          g = 0;
        } else if (fused) {
          g = o - t;
        } else {
          g = -t / p + (1 - t) / (1 - p);
        }
        grad[j] = (float) (g * s);
      }
    }
    return sum / outputs;
  }

  private double bceLogits(float[] out, float[] y, int yo, float scale, float[] grad) {
    double sum = 0;
    double s = (double) scale / outputs;
    for (int j = 0; j < outputs; j++) {
      double z = out[j];
      double t = y[yo + j];
      sum += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      if (grad != null) {
        double sigmoid = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        grad[j] = (float) ((sigmoid - t) * s);
      }
    }
    return sum / outputs;
  }

  /** The label of class {@code j}: one-hot of {@code label} when sparse ({@code label >= 0}). */
  private static double target(float[] y, int yo, int label, int j) {
    return label >= 0 ? (j == label ? 1 : 0) : y[yo + j];
  }

  private double cce(float[] out, float[] y, int yo, int label, float scale, float[] grad) {
    double total = 0;
    for (int j = 0; j < outputs; j++) {
      total += out[j];
    }
    double sum = 0;
    double unclippedMass = 0;
    for (int j = 0; j < outputs; j++) {
      double q = out[j] / total;
      double t = target(y, yo, label, j);
      sum -= t * Math.log(Math.min(Math.max(q, EPS), 1 - EPS));
      if (!clipped(q)) {
        unclippedMass += t;
      }
    }
    if (grad != null) {
      for (int j = 0; j < outputs; j++) {
        double q = out[j] / total;
        double t = target(y, yo, label, j);
        double own = clipped(q) ? 0 : -t;
        // fused: dz = q·ΣU y + own;  unfused: dL/dout = (g - G)/S with g q = own, G = -ΣU y.
        double g = fused ? q * unclippedMass + own
            : ((clipped(q) ? 0 : -t / q) + unclippedMass) / total;
        grad[j] = (float) (g * scale);
      }
    }
    return sum;
  }

  private double cceLogits(float[] z, float[] y, int yo, int label, float scale, float[] grad) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < outputs; j++) {
      max = Math.max(max, z[j]);
    }
    double sumExp = 0;
    for (int j = 0; j < outputs; j++) {
      sumExp += Math.exp(z[j] - max);
    }
    double logSumExp = max + Math.log(sumExp);
    double sum = 0;
    double mass = 0;
    for (int j = 0; j < outputs; j++) {
      double t = target(y, yo, label, j);
      sum -= t * (z[j] - logSumExp);
      mass += t;
    }
    if (grad != null) {
      for (int j = 0; j < outputs; j++) {
        double softmax = Math.exp(z[j] - logSumExp);
        grad[j] = (float) ((softmax * mass - target(y, yo, label, j)) * scale);
      }
    }
    return sum;
  }

  private double mse(float[] out, float[] y, int yo, float scale, float[] grad) {
    double sum = 0;
    double s = (double) scale / outputs;
    for (int j = 0; j < outputs; j++) {
      double d = (double) out[j] - y[yo + j];
      sum += d * d;
      if (grad != null) {
        grad[j] = (float) (2 * d * s);
      }
    }
    return sum / outputs;
  }

  private double mae(float[] out, float[] y, int yo, float scale, float[] grad) {
    double sum = 0;
    double s = (double) scale / outputs;
    for (int j = 0; j < outputs; j++) {
      double d = (double) out[j] - y[yo + j];
      sum += Math.abs(d);
      if (grad != null) {
        grad[j] = (float) (Math.signum(d) * s);
      }
    }
    return sum / outputs;
  }
}
