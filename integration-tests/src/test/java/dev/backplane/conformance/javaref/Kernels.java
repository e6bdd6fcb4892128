package dev.backplane.conformance.javaref;

import dev.backplane.model.Activation;
import dev.backplane.model.Erf;
import dev.backplane.model.Loss;
import java.util.Set;

/** Activations, their derivatives and the losses, in float64, by the api's definitions. */
final class Kernels {
  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
  private static final double GELU_C = Math.sqrt(2 / Math.PI);

  private Kernels() {}

  /** Applies an activation to a row ({@code softmax} needs the whole row). */
  static void activate(Activation a, double[] z, double[] y, Set<Fault> faults) {
    if (a == Activation.SOFTMAX) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (int i = 0; i < z.length; i++) {
        y[i] = Math.exp(z[i] - max);
        sum += y[i];
      }
      for (int i = 0; i < z.length; i++) {
        y[i] /= sum;
      }
      return;
    }
    for (int i = 0; i < z.length; i++) {
      y[i] = a == Activation.GELU && faults.contains(Fault.GELU_TANH) ? geluTanh(z[i])
          : a.apply(z[i]);
    }
  }

  /** {@code dz = dy * act'(z)} for a row, given z and y = act(z). */
  static void backward(Activation a, double[] z, double[] y, double[] dy, double[] dz,
      Set<Fault> faults) {
    if (a == Activation.SOFTMAX) {
      double dot = 0;
      for (int i = 0; i < y.length; i++) {
        dot += dy[i] * y[i];
      }
      for (int i = 0; i < y.length; i++) {
        dz[i] = y[i] * (dy[i] - dot);
      }
      return;
    }
    for (int i = 0; i < z.length; i++) {
      dz[i] = dy[i] * derivative(a, z[i], y[i], faults);
    }
  }

  private static double derivative(Activation a, double z, double y, Set<Fault> faults) {
    switch (a) {
      case LINEAR:
        return 1;
      case RELU:
        return z > 0 ? 1 : faults.contains(Fault.RELU_GRADIENT) ? 0.1 : 0;
      case SIGMOID:
        return y * (1 - y);
      case TANH:
        return 1 - y * y;
      case ELU:
        return z > 0 ? 1 : y + Activation.ELU_ALPHA;
      case LEAKY_RELU:
        return z > 0 ? 1 : Activation.LEAKY_RELU_SLOPE;
      case GELU:
        if (faults.contains(Fault.GELU_TANH)) {
          double u = GELU_C * (z + 0.044715 * z * z * z);
          double t = Math.tanh(u);
          return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * z * z);
        }
        return 0.5 * (1 + Erf.erf(z / Math.sqrt(2))) + z * Math.exp(-z * z / 2) / SQRT_2PI;
      default:
        throw new IllegalStateException("Unhandled activation " + a);
    }
  }

  private static double geluTanh(double z) {
    return 0.5 * z * (1 + Math.tanh(GELU_C * (z + 0.044715 * z * z * z)));
  }

  /**
   * The loss of one sample and, into {@code grad}, its derivative with respect to the outputs.
   *
   * @param label the label row: one value per output, or one class index for sparse losses
   */
  static double loss(Loss loss, double[] out, float[] label, int labelOffset, double[] grad) {
    int k = out.length;
    double eps = Loss.EPSILON;
    switch (loss.type()) {
      case MEAN_SQUARED_ERROR: {
        double s = 0;
        for (int j = 0; j < k; j++) {
          double d = out[j] - label[labelOffset + j];
          s += d * d;
          grad[j] = 2 * d / k;
        }
        return s / k;
      }
      case MEAN_ABSOLUTE_ERROR: {
        double s = 0;
        for (int j = 0; j < k; j++) {
          double d = out[j] - label[labelOffset + j];
          s += Math.abs(d);
          grad[j] = Math.signum(d) / k;
        }
        return s / k;
      }
      case BINARY_CROSSENTROPY: {
        double s = 0;
        for (int j = 0; j < k; j++) {
          double y = label[labelOffset + j];
          if (loss.fromLogits()) {
            double z = out[j];
            s += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
            grad[j] = (1 / (1 + Math.exp(-z)) - y) / k;
          } else {
            double p = Math.min(Math.max(out[j], eps), 1 - eps);
            s += -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
            boolean clipped = out[j] < eps || out[j] > 1 - eps;
            grad[j] = clipped ? 0 : (-y / p + (1 - y) / (1 - p)) / k;
          }
        }
        return s / k;
      }
      case CATEGORICAL_CROSSENTROPY:
      case SPARSE_CATEGORICAL_CROSSENTROPY: {
        double[] y = new double[k];
        if (loss.sparseLabels()) {
          y[(int) label[labelOffset]] = 1;
        } else {
          for (int j = 0; j < k; j++) {
            y[j] = label[labelOffset + j];
          }
        }
        return crossEntropy(loss.fromLogits(), out, y, grad);
      }
      default:
        throw new IllegalStateException("Unhandled loss " + loss);
    }
  }

  private static double crossEntropy(boolean logits, double[] out, double[] y, double[] grad) {
    int k = out.length;
    double ysum = 0;
    for (double v : y) {
      ysum += v;
    }
    if (logits) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : out) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : out) {
        sum += Math.exp(v - max);
      }
      double logSum = max + Math.log(sum);
      double l = 0;
      for (int j = 0; j < k; j++) {
        l -= y[j] * (out[j] - logSum);
        grad[j] = Math.exp(out[j] - logSum) * ysum - y[j];
      }
      return l;
    }
    double total = 0;
    for (double v : out) {
      total += v;
    }
    double eps = Loss.EPSILON;
    double l = 0;
    double[] gq = new double[k];
    double[] q = new double[k];
    for (int j = 0; j < k; j++) {
      q[j] = out[j] / total;
      double p = Math.min(Math.max(q[j], eps), 1 - eps);
      l -= y[j] * Math.log(p);
      gq[j] = q[j] < eps || q[j] > 1 - eps ? 0 : -y[j] / p;
    }
    double dot = 0;
    for (int j = 0; j < k; j++) {
      dot += gq[j] * q[j];
    }
    for (int j = 0; j < k; j++) {
      grad[j] = (gq[j] - dot) / total;
    }
    return l;
  }
}
