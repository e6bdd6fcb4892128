package dev.backplane.tfjava;

import dev.backplane.Device;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Erf;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The api's definitions computed plainly in float64, with hand-written backpropagation: the
 * reference the tests hold the TensorFlow backend to (gradients, optimizer steps, whole training
 * runs). Implements {@link Executable} so {@link CrossBackendComparison} can pair it with any
 * backend. Dropout with a positive rate is not modelled (random masks differ by backend).
 */
final class Float64Reference implements Executable {
  private final ModelSpec spec;
  private final double[][] params;
  private final double[][] slots;
  private long iterations;

  Float64Reference(ModelSpec spec) {
    this.spec = spec;
    ModelState s = spec.initialState();
    params = new double[s.parameters().size()][];
    slots = new double[s.slots().size()][];
    restore(s);
  }

  /** Loss sum, per-sample losses, outputs and gradients of the batch-mean loss. */
  record Pass(double lossSum, double[] outputs, double[][] gradients) {}

  @Override
  public Device device() {
    return Device.cpu("float64-reference", 0);
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    Pass pass = pass(x, y, true);
    copyOut(pass.outputs, outputs);
    update(pass.gradients);
    iterations++;
    return pass.lossSum;
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    Pass pass = pass(x, y, false);
    copyOut(pass.outputs, outputs);
    return pass.lossSum;
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    copyOut(forward(toDouble(x), x.rows(), false).get(spec.layers().size()), outputs);
  }

  /** The forward pass, loss and backpropagated gradients at the current parameters. */
  Pass pass(Tensor x, Tensor y, boolean training) {
    int n = x.rows();
    List<double[]> acts = forward(toDouble(x), n, training);
    double[] out = acts.get(acts.size() - 1);
    int k = spec.outputSize();
    double[] dOut = new double[n * k];
    double lossSum = 0;
    for (int r = 0; r < n; r++) {
      double[] o = new double[k];
      System.arraycopy(out, r * k, o, 0, k);
      double[] t = labels(y, r, k);
      double[] d = new double[k];
      lossSum += loss(spec.loss(), o, t, d);
      for (int j = 0; j < k; j++) {
        dOut[r * k + j] = d[j] / n;
      }
    }
    return new Pass(lossSum, out, backward(acts, dOut, n));
  }

  private double[] labels(Tensor y, int row, int k) {
    double[] t = new double[k];
    if (spec.loss().sparseLabels()) {
      t[(int) y.get(row)] = 1;
    } else {
      for (int j = 0; j < k; j++) {
        t[j] = y.get(row, j);
      }
    }
    return t;
  }

  // Per layer: its input is acts.get(i); the pre-activation z is kept in zs.get(i).
  private final List<double[]> zs = new ArrayList<>();

  private List<double[]> forward(double[] x, int n, boolean training) {
    List<double[]> acts = new ArrayList<>();
    zs.clear();
    acts.add(x);
    double[] h = x;
    int p = 0;
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer l = spec.layers().get(i);
      double[] z = h;
      if (l instanceof Dense d) {
        int in = spec.inputShapeOf(i)[0];
        z = matmul(h, n, in, params[p++], d.units());
        if (d.useBias()) {
          double[] b = params[p++];
          for (int r = 0; r < n; r++) {
            for (int j = 0; j < d.units(); j++) {
              z[r * d.units() + j] += b[j];
            }
          }
        }
        h = activate(d.activation(), z, d.units());
      } else if (l instanceof ActivationLayer a) {
        h = activate(a.activation(), z, spec.outputShapeOf(i)[spec.outputShapeOf(i).length - 1]);
      } else if (l instanceof Dropout d) {
        if (training && d.rate() > 0) {
          throw new UnsupportedOperationException("The float64 reference has no dropout masks");
        }
      } else if (!(l instanceof Flatten)) {
        throw new UnsupportedOperationException("Reference cannot run " + l);
      }
      zs.add(z);
      acts.add(h);
    }
    return acts;
  }

  private double[][] backward(List<double[]> acts, double[] dOut, int n) {
    double[][] grads = new double[params.length][];
    int p = params.length;
    double[] dA = dOut;
    for (int i = spec.layers().size() - 1; i >= 0; i--) {
      Layer l = spec.layers().get(i);
      if (l instanceof Dense d) {
        int in = spec.inputShapeOf(i)[0];
        double[] dZ = activationBackward(d.activation(), zs.get(i), acts.get(i + 1), dA, d.units());
        if (d.useBias()) {
          double[] db = new double[d.units()];
          for (int r = 0; r < n; r++) {
            for (int j = 0; j < d.units(); j++) {
              db[j] += dZ[r * d.units() + j];
            }
          }
          grads[--p] = db;
        }
        double[] kernel = params[--p];
        double[] h = acts.get(i);
        double[] dK = new double[in * d.units()];
        double[] dH = new double[n * in];
        for (int r = 0; r < n; r++) {
          for (int a = 0; a < in; a++) {
            double sum = 0;
            for (int j = 0; j < d.units(); j++) {
              dK[a * d.units() + j] += h[r * in + a] * dZ[r * d.units() + j];
              sum += dZ[r * d.units() + j] * kernel[a * d.units() + j];
            }
            dH[r * in + a] = sum;
          }
        }
        grads[p] = dK;
        dA = dH;
      } else if (l instanceof ActivationLayer a) {
        int[] shape = spec.outputShapeOf(i);
        dA = activationBackward(a.activation(), zs.get(i), acts.get(i + 1), dA,
            shape[shape.length - 1]);
      }
    }
    return grads;
  }

  private static double[] matmul(double[] h, int n, int in, double[] kernel, int units) {
    double[] z = new double[n * units];
    for (int r = 0; r < n; r++) {
      for (int a = 0; a < in; a++) {
        double v = h[r * in + a];
        for (int j = 0; j < units; j++) {
          z[r * units + j] += v * kernel[a * units + j];
        }
      }
    }
    return z;
  }

  static double[] activate(Activation f, double[] z, int width) {
    double[] a = new double[z.length];
    if (f == Activation.SOFTMAX) {
      for (int r = 0; r < z.length / width; r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
          max = Math.max(max, z[r * width + j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
          a[r * width + j] = Math.exp(z[r * width + j] - max);
          sum += a[r * width + j];
        }
        for (int j = 0; j < width; j++) {
          a[r * width + j] /= sum;
        }
      }
      return a;
    }
    for (int i = 0; i < z.length; i++) {
      a[i] = f.apply(z[i]);
    }
    return a;
  }

  private static double[] activationBackward(Activation f, double[] z, double[] a, double[] dA,
      int width) {
    double[] dZ = new double[z.length];
    if (f == Activation.SOFTMAX) {
      for (int r = 0; r < z.length / width; r++) {
        double dot = 0;
        for (int j = 0; j < width; j++) {
          dot += dA[r * width + j] * a[r * width + j];
        }
        for (int j = 0; j < width; j++) {
          dZ[r * width + j] = a[r * width + j] * (dA[r * width + j] - dot);
        }
      }
      return dZ;
    }
    for (int i = 0; i < z.length; i++) {
      dZ[i] = dA[i] * derivative(f, z[i], a[i]);
    }
    return dZ;
  }

  /** The derivative the backend's kernels use (at a kink, the right-hand rule of {@code x > 0}). */
  static double derivative(Activation f, double z, double a) {
    switch (f) {
      case LINEAR:
        return 1;
      case RELU:
        return z > 0 ? 1 : 0;
      case SIGMOID:
        return a * (1 - a);
      case TANH:
        return 1 - a * a;
      case ELU:
        return z > 0 ? 1 : Activation.ELU_ALPHA * Math.exp(z);
      case LEAKY_RELU:
        return z > 0 ? 1 : Activation.LEAKY_RELU_SLOPE;
      case GELU:
        return 0.5 * (1 + Erf.erf(z / Math.sqrt(2)))
            + z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
      default:
        throw new IllegalStateException(f + " is not element-wise");
    }
  }

  /** The api's per-sample loss; fills {@code d} with its derivative by the output. */
  static double loss(Loss loss, double[] o, double[] t, double[] d) {
    int k = o.length;
    double eps = Loss.EPSILON;
    double l = 0;
    switch (loss.type()) {
      case MEAN_SQUARED_ERROR:
        for (int j = 0; j < k; j++) {
          l += (t[j] - o[j]) * (t[j] - o[j]) / k;
          d[j] = 2 * (o[j] - t[j]) / k;
        }
        return l;
      case MEAN_ABSOLUTE_ERROR:
        for (int j = 0; j < k; j++) {
          l += Math.abs(t[j] - o[j]) / k;
          d[j] = Math.signum(o[j] - t[j]) / k;
        }
        return l;
      case BINARY_CROSSENTROPY:
        for (int j = 0; j < k; j++) {
          if (loss.fromLogits()) {
            double z = o[j];
            l += (Math.max(z, 0) - z * t[j] + Math.log1p(Math.exp(-Math.abs(z)))) / k;
            d[j] = (1 / (1 + Math.exp(-z)) - t[j]) / k;
          } else {
            double p = clip(o[j], eps);
            l -= (t[j] * Math.log(p) + (1 - t[j]) * Math.log(1 - p)) / k;
            d[j] = clipActive(o[j], eps) ? 0 : -(t[j] / p - (1 - t[j]) / (1 - p)) / k;
          }
        }
        return l;
      case CATEGORICAL_CROSSENTROPY:
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        if (loss.fromLogits()) {
          double max = Double.NEGATIVE_INFINITY;
          for (double v : o) {
            max = Math.max(max, v);
          }
          double sum = 0;
          for (double v : o) {
            sum += Math.exp(v - max);
          }
          double lse = max + Math.log(sum);
          double ty = 0;
          for (int j = 0; j < k; j++) {
            l -= t[j] * (o[j] - lse);
            ty += t[j];
          }
          for (int j = 0; j < k; j++) {
            d[j] = Math.exp(o[j] - lse) * ty - t[j];
          }
          return l;
        }
        double s = 0;
        for (double v : o) {
          s += v;
        }
        double[] dq = new double[k];
        double dot = 0;
        for (int j = 0; j < k; j++) {
          double q = o[j] / s;
          double p = clip(q, eps);
          l -= t[j] * Math.log(p);
          dq[j] = clipActive(q, eps) ? 0 : -t[j] / p;
          dot += dq[j] * o[j];
        }
        for (int i = 0; i < k; i++) {
          d[i] = dq[i] / s - dot / (s * s);
        }
        return l;
      default:
        throw new IllegalStateException("Unhandled loss " + loss);
    }
  }

  private static double clip(double p, double eps) {
    return Math.min(Math.max(p, eps), 1 - eps);
  }

  /** Where the clip holds the value, its gradient is zero (TensorFlow passes it at the bound). */
  private static boolean clipActive(double p, double eps) {
    return p < (float) eps || p > (float) (1 - eps);
  }

  private void update(double[][] grads) {
    Optimizer opt = spec.optimizer();
    int slotsPer = opt.slotNames().size();
    for (int p = 0; p < params.length; p++) {
      double[] w = params[p];
      double[] g = grads[p];
      if (opt instanceof SGD sgd) {
        for (int i = 0; i < w.length; i++) {
          if (sgd.momentum() == 0) {
            w[i] -= sgd.learningRate() * g[i];
          } else {
            double[] v = slots[p * slotsPer];
            v[i] = sgd.momentum() * v[i] - sgd.learningRate() * g[i];
            w[i] += sgd.nesterov() ? sgd.momentum() * v[i] - sgd.learningRate() * g[i] : v[i];
          }
        }
      } else if (opt instanceof Adam adam) {
        double[] m = slots[p * slotsPer];
        double[] v = slots[p * slotsPer + 1];
        long t = iterations + 1;
        double alpha = adam.learningRate() * Math.sqrt(1 - Math.pow(adam.beta2(), t))
            / (1 - Math.pow(adam.beta1(), t));
        for (int i = 0; i < w.length; i++) {
          m[i] += (g[i] - m[i]) * (1 - adam.beta1());
          v[i] += (g[i] * g[i] - v[i]) * (1 - adam.beta2());
          w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + adam.epsilon());
        }
      } else if (opt instanceof RMSprop rms) {
        double[] vel = slots[p * slotsPer];
        for (int i = 0; i < w.length; i++) {
          vel[i] = rms.rho() * vel[i] + (1 - rms.rho()) * g[i] * g[i];
          double step = rms.learningRate() * g[i] / Math.sqrt(vel[i] + rms.epsilon());
          if (rms.momentum() > 0) {
            double[] mom = slots[p * slotsPer + 1];
            mom[i] = rms.momentum() * mom[i] + step;
            step = mom[i];
          }
          w[i] -= step;
        }
      }
    }
  }

  @Override
  public ModelState snapshot() {
    ModelState layout = spec.initialState();
    return new ModelState(toArrays(layout.parameters(), params), toArrays(layout.slots(), slots),
        iterations);
  }

  /** The parameters in float64, in state order (no copy). */
  double[][] parameters() {
    return params;
  }

  private static List<NamedArray> toArrays(List<NamedArray> layout, double[][] values) {
    List<NamedArray> out = new ArrayList<>();
    for (int i = 0; i < layout.size(); i++) {
      float[] f = new float[values[i].length];
      for (int j = 0; j < f.length; j++) {
        f[j] = (float) values[i][j];
      }
      out.add(new NamedArray(layout.get(i).name(), layout.get(i).shape(), f));
    }
    return out;
  }

  @Override
  public void restore(ModelState state) {
    spec.checkCompatible(state);
    for (int i = 0; i < params.length; i++) {
      params[i] = toDouble(state.parameters().get(i).values());
    }
    for (int i = 0; i < slots.length; i++) {
      slots[i] = toDouble(state.slots().get(i).values());
    }
    iterations = state.iterations();
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static double[] toDouble(Tensor t) {
    double[] d = new double[t.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = t.get(i);
    }
    return d;
  }

  private static void copyOut(double[] values, float[] outputs) {
    for (int i = 0; i < values.length; i++) {
      outputs[i] = (float) values[i];
    }
  }

  @Override
  public void close() {}
}
