package dev.backplane.io.testing;

import dev.backplane.Device;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny, slow, exact reference executable for the io tests, so save/load round trips and
 * resumed training can be checked with real arithmetic before a real backend is on the class
 * path. Dense, Activation, Flatten and (inference-only) Dropout; losses mse and
 * binary_crossentropy; optimizers SGD (momentum, Nesterov) and Adam, with the api's formulas.
 */
final class MiniExecutable implements Executable {
  private final ModelSpec spec;
  private final Device device;
  private final List<Layer> layers;
  private ModelState state;

  MiniExecutable(ModelSpec spec, Device device) {
    this.spec = spec;
    this.device = device;
    this.layers = spec.layers();
    for (Layer l : layers) {
      if (!(l instanceof Dense || l instanceof ActivationLayer || l instanceof Flatten
          || l instanceof Dropout)) {
        throw new UnsupportedFeatureException("mini", "layer '" + l.name() + "'");
      }
    }
    Optimizer o = spec.optimizer();
    if (!(o instanceof SGD || o instanceof Adam)) {
      throw new UnsupportedFeatureException("mini", "optimizer " + o.kerasName());
    }
    this.state = spec.initialState().copy();
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public synchronized void predict(Tensor x, float[] outputs) {
    List<double[][]> acts = forward(x);
    copyOut(acts.get(acts.size() - 1), outputs);
  }

  @Override
  public synchronized double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    List<double[][]> acts = forward(x);
    double[][] out = acts.get(acts.size() - 1);
    copyOut(out, outputs);
    return loss(out, y, null);
  }

  @Override
  public synchronized double trainStep(Tensor x, Tensor y, float[] outputs) {
    for (Layer l : layers) {
      if (l instanceof Dropout d && d.rate() > 0) {
        throw new UnsupportedOperationException("the mini executable trains without dropout");
      }
    }
    List<double[][]> acts = forward(x);
    double[][] out = acts.get(acts.size() - 1);
    copyOut(out, outputs);
    double[][] grad = new double[out.length][out[0].length];
    double loss = loss(out, y, grad);
    List<NamedArray> params = state.parameters();
    double[][] grads = new double[params.size()][];
    int p = params.size();
    for (int li = layers.size() - 1; li >= 0; li--) {
      Layer l = layers.get(li);
      double[][] in = acts.get(li);
      double[][] a = acts.get(li + 1);
      if (l instanceof ActivationLayer act) {
        grad = activationBackward(act.activation(), a, grad);
      } else if (l instanceof Dense d) {
        grad = activationBackward(d.activation(), a, grad);
        int biasIndex = d.useBias() ? --p : -1;
        int kernelIndex = --p;
        float[] k = params.get(kernelIndex).values();
        double[] gk = new double[k.length];
        double[] gb = new double[d.units()];
        double[][] gin = new double[in.length][in[0].length];
        for (int r = 0; r < in.length; r++) {
          for (int i = 0; i < in[0].length; i++) {
            for (int j = 0; j < d.units(); j++) {
              gk[i * d.units() + j] += in[r][i] * grad[r][j];
              gin[r][i] += k[i * d.units() + j] * grad[r][j];
            }
          }
          for (int j = 0; j < d.units(); j++) {
            gb[j] += grad[r][j];
          }
        }
        grads[kernelIndex] = gk;
        if (biasIndex >= 0) {
          grads[biasIndex] = gb;
        }
        grad = gin;
      }
    }
    update(grads);
    return loss;
  }

  private void update(double[][] grads) {
    long t = state.iterations() + 1;
    List<NamedArray> params = new ArrayList<>();
    List<NamedArray> slots = new ArrayList<>();
    Optimizer o = spec.optimizer();
    int perParam = o.slotNames().size();
    for (int i = 0; i < grads.length; i++) {
      NamedArray p = state.parameters().get(i);
      float[] w = p.values().clone();
      float[][] s = new float[perParam][];
      for (int k = 0; k < perParam; k++) {
        s[k] = state.slots().get(i * perParam + k).values().clone();
      }
      double lr = o.learningRate();
      for (int j = 0; j < w.length; j++) {
        double g = grads[i][j];
        if (o instanceof SGD sgd) {
          if (sgd.momentum() == 0) {
            w[j] -= (float) (lr * g);
          } else {
            s[0][j] = (float) (sgd.momentum() * s[0][j] - lr * g);
            w[j] += (float) (sgd.nesterov() ? sgd.momentum() * s[0][j] - lr * g : s[0][j]);
          }
        } else {
          Adam adam = (Adam) o;
          s[0][j] += (float) ((g - s[0][j]) * (1 - adam.beta1()));
          s[1][j] += (float) ((g * g - s[1][j]) * (1 - adam.beta2()));
          double alpha = lr * Math.sqrt(1 - Math.pow(adam.beta2(), t))
              / (1 - Math.pow(adam.beta1(), t));
          w[j] -= (float) (alpha * s[0][j] / (Math.sqrt(s[1][j]) + adam.epsilon()));
        }
      }
      params.add(new NamedArray(p.name(), p.shape(), w));
      for (int k = 0; k < perParam; k++) {
        NamedArray slot = state.slots().get(i * perParam + k);
        slots.add(new NamedArray(slot.name(), slot.shape(), s[k]));
      }
    }
    state = new ModelState(params, slots, t);
  }

  private List<double[][]> forward(Tensor x) {
    int rows = x.rows();
    int width = x.rowSize();
    double[][] a = new double[rows][width];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < width; i++) {
        a[r][i] = x.get(r * width + i);
      }
    }
    List<double[][]> acts = new ArrayList<>();
    acts.add(a);
    int p = 0;
    for (Layer l : layers) {
      if (l instanceof Dense d) {
        float[] k = state.parameters().get(p++).values();
        float[] b = d.useBias() ? state.parameters().get(p++).values() : null;
        double[][] z = new double[rows][d.units()];
        for (int r = 0; r < rows; r++) {
          for (int j = 0; j < d.units(); j++) {
            double s = b == null ? 0 : b[j];
            for (int i = 0; i < a[r].length; i++) {
              s += a[r][i] * k[i * d.units() + j];
            }
            z[r][j] = s;
          }
        }
        a = activate(d.activation(), z);
      } else if (l instanceof ActivationLayer act) {
        a = activate(act.activation(), a);
      }
      acts.add(a);
    }
    return acts;
  }

  private static double[][] activate(Activation f, double[][] z) {
    double[][] a = new double[z.length][];
    for (int r = 0; r < z.length; r++) {
      a[r] = new double[z[r].length];
      if (f == Activation.SOFTMAX) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z[r]) {
          max = Math.max(max, v);
        }
        double sum = 0;
        for (int j = 0; j < z[r].length; j++) {
          a[r][j] = Math.exp(z[r][j] - max);
          sum += a[r][j];
        }
        for (int j = 0; j < z[r].length; j++) {
          a[r][j] /= sum;
        }
      } else {
        for (int j = 0; j < z[r].length; j++) {
          a[r][j] = f.apply(z[r][j]);
        }
      }
    }
    return a;
  }

  /** Gradient with respect to the pre-activation, from the activation's output. */
  private static double[][] activationBackward(Activation f, double[][] a, double[][] g) {
    double[][] out = new double[g.length][g[0].length];
    for (int r = 0; r < g.length; r++) {
      double dot = 0;
      for (int j = 0; j < g[r].length; j++) {
        dot += g[r][j] * a[r][j];
      }
      for (int j = 0; j < g[r].length; j++) {
        double y = a[r][j];
        double d;
        switch (f) {
          case LINEAR:
            d = 1;
            break;
          case RELU:
            d = y > 0 ? 1 : 0;
            break;
          case SIGMOID:
            d = y * (1 - y);
            break;
          case TANH:
            d = 1 - y * y;
            break;
          case SOFTMAX:
            out[r][j] = y * (g[r][j] - dot);
            continue;
          default:
            throw new UnsupportedOperationException("mini executable: " + f);
        }
        out[r][j] = g[r][j] * d;
      }
    }
    return out;
  }

  /** Sum of per-sample losses; fills {@code grad} with d(batch-mean loss)/d(output) if given. */
  private double loss(double[][] out, Tensor y, double[][] grad) {
    Loss loss = spec.loss();
    int n = out.length;
    int m = out[0].length;
    double total = 0;
    for (int r = 0; r < n; r++) {
      double s = 0;
      for (int j = 0; j < m; j++) {
        double o = out[r][j];
        double t = y.get(r * m + j);
        if (loss.type() == Loss.Type.MEAN_SQUARED_ERROR) {
          s += (o - t) * (o - t);
          if (grad != null) {
            grad[r][j] = 2 * (o - t) / (m * n);
          }
        } else if (loss.type() == Loss.Type.BINARY_CROSSENTROPY && !loss.fromLogits()) {
          double p = Math.min(Math.max(o, Loss.EPSILON), 1 - Loss.EPSILON);
          s += -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
          if (grad != null) {
            grad[r][j] = p == o ? (p - t) / (p * (1 - p)) / (m * n) : 0;
          }
        } else {
          throw new UnsupportedOperationException("mini executable: loss " + loss);
        }
      }
      total += s / m;
    }
    return total;
  }

  private static void copyOut(double[][] a, float[] outputs) {
    int m = a[0].length;
    for (int r = 0; r < a.length; r++) {
      for (int j = 0; j < m; j++) {
        outputs[r * m + j] = (float) a[r][j];
      }
    }
  }

  @Override
  public synchronized ModelState snapshot() {
    return state.copy();
  }

  @Override
  public synchronized void restore(ModelState newState) {
    spec.checkCompatible(newState);
    state = newState.copy();
  }

  @Override
  public void close() {}
}
