package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
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
 * Plain-Java kernels for tests: Dense layers (linear, relu, sigmoid, tanh), binary cross-entropy
 * and mean squared error, SGD without momentum and Adam, all with the api's (Keras's) formulas,
 * accumulating in double and storing float32. Small and obviously correct rather than fast;
 * anything else is refused at compile time.
 */
public class ReferenceExecutable implements Executable {
  private final ModelSpec spec;
  private final Device device;
  private final List<Dense> layers = new ArrayList<>();
  private final int[] widths;
  private final float[][] params;
  private final float[][] slots;
  private final List<NamedArray> paramNames;
  private final List<NamedArray> slotNames;
  private long iterations;

  /** @throws UnsupportedFeatureException for anything but the features above */
  public ReferenceExecutable(ModelSpec spec, Device device, String backendId) {
    this.spec = spec;
    this.device = device;
    for (Layer l : spec.layers()) {
      if (!(l instanceof Dense d) || !d.useBias() || !List.of(Activation.LINEAR, Activation.RELU,
          Activation.SIGMOID, Activation.TANH).contains(d.activation())) {
        throw new UnsupportedFeatureException(backendId, "layer '" + l.name() + "' ("
            + l.kerasClass() + ") in the reference test kernels");
      }
      layers.add(d);
    }
    Loss.Type t = spec.loss().type();
    if (spec.loss().fromLogits() || t != Loss.Type.BINARY_CROSSENTROPY
        && t != Loss.Type.MEAN_SQUARED_ERROR) {
      throw new UnsupportedFeatureException(backendId, "loss " + spec.loss());
    }
    Optimizer o = spec.optimizer();
    if (!(o instanceof Adam) && !(o instanceof SGD s && s.momentum() == 0)) {
      throw new UnsupportedFeatureException(backendId, "optimizer " + o);
    }
    widths = new int[layers.size() + 1];
    widths[0] = spec.inputSize();
    for (int i = 0; i < layers.size(); i++) {
      widths[i + 1] = layers.get(i).units();
    }
    ModelState init = spec.initialState();
    paramNames = init.parameters();
    slotNames = init.slots();
    params = new float[paramNames.size()][];
    slots = new float[slotNames.size()][];
    restore(init);
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    int n = x.rows();
    double[][] acts = forward(x, n);
    double[] top = acts[layers.size()];
    int outs = widths[layers.size()];
    double[] grad = new double[n * outs];
    double loss = loss(top, y, n, grad);
    copyOut(top, outputs, n * outs);
    double[][] grads = new double[params.length][];
    for (int l = layers.size() - 1; l >= 0; l--) {
      int in = widths[l];
      int units = widths[l + 1];
      double[] a = acts[l + 1];
      for (int i = 0; i < n * units; i++) {
        grad[i] *= derivative(layers.get(l).activation(), a[i]);
      }
      double[] gw = new double[in * units];
      double[] gb = new double[units];
      double[] below = new double[n * in];
      float[] w = params[2 * l];
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < units; j++) {
          double d = grad[r * units + j];
          gb[j] += d;
          for (int k = 0; k < in; k++) {
            gw[k * units + j] += acts[l][r * in + k] * d;
            below[r * in + k] += w[k * units + j] * d;
          }
        }
      }
      grads[2 * l] = gw;
      grads[2 * l + 1] = gb;
      grad = below;
    }
    synchronized (this) {
      iterations++;
    }
    for (int p = 0; p < params.length; p++) {
      update(p, grads[p]);
    }
    return loss;
  }

  private void update(int p, double[] g) {
    float[] w = params[p];
    if (spec.optimizer() instanceof Adam adam) {
      float[] m = slots[2 * p];
      float[] v = slots[2 * p + 1];
      double t = iterations;
      double lr = adam.learningRate() * Math.sqrt(1 - Math.pow(adam.beta2(), t))
          / (1 - Math.pow(adam.beta1(), t));
      for (int i = 0; i < w.length; i++) {
        m[i] += (float) ((g[i] - m[i]) * (1 - adam.beta1()));
        v[i] += (float) ((g[i] * g[i] - v[i]) * (1 - adam.beta2()));
        w[i] -= (float) (lr * m[i] / (Math.sqrt(v[i]) + adam.epsilon()));
      }
    } else {
      for (int i = 0; i < w.length; i++) {
        w[i] -= (float) (spec.optimizer().learningRate() * g[i]);
      }
    }
  }

  /** The per-sample losses summed; fills {@code grad} with the gradient of the batch mean. */
  private double loss(double[] out, Tensor y, int n, double[] grad) {
    int outs = widths[layers.size()];
    boolean bce = spec.loss().type() == Loss.Type.BINARY_CROSSENTROPY;
    // with sample weights each label row ends with the sample's weight (Keras's sample_weight)
    boolean weighted = spec.loss().sampleWeighted();
    int stride = weighted ? outs + 1 : outs;
    double total = 0;
    for (int r = 0; r < n; r++) {
      double s = 0;
      double w = weighted ? y.get(r * stride + outs) : 1;
      for (int j = 0; j < outs; j++) {
        double o = out[r * outs + j];
        double t = y.get(r * stride + j);
        int i = r * outs + j;
        if (bce) {
          double p = Math.min(Math.max(o, Loss.EPSILON), 1 - Loss.EPSILON);
          s += -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
          boolean clipped = o < Loss.EPSILON || o > 1 - Loss.EPSILON;
          grad[i] = clipped ? 0 : w * (p - t) / (p * (1 - p)) / outs / n;
        } else {
          s += (o - t) * (o - t);
          grad[i] = w * 2 * (o - t) / outs / n;
        }
      }
      total += w * s / outs;
    }
    return total;
  }

  private double[][] forward(Tensor x, int n) {
    double[][] acts = new double[layers.size() + 1][];
    acts[0] = new double[n * widths[0]];
    for (int i = 0; i < acts[0].length; i++) {
      acts[0][i] = x.get(i);
    }
    for (int l = 0; l < layers.size(); l++) {
      int in = widths[l];
      int units = widths[l + 1];
      float[] w = params[2 * l];
      float[] b = params[2 * l + 1];
      double[] a = new double[n * units];
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < units; j++) {
          double z = b[j];
          for (int k = 0; k < in; k++) {
            z += acts[l][r * in + k] * w[k * units + j];
          }
          a[r * units + j] = (float) layers.get(l).activation().apply(z);
        }
      }
      acts[l + 1] = a;
    }
    return acts;
  }

  private static double derivative(Activation act, double a) {
    switch (act) {
      case RELU:
        return a > 0 ? 1 : 0;
      case SIGMOID:
        return a * (1 - a);
      case TANH:
        return 1 - a * a;
      default:
        return 1;
    }
  }

  private static void copyOut(double[] from, float[] to, int n) {
    for (int i = 0; i < n; i++) {
      to[i] = (float) from[i];
    }
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    int n = x.rows();
    double[] top = forward(x, n)[layers.size()];
    copyOut(top, outputs, n * widths[layers.size()]);
    return loss(top, y, n, new double[top.length]);
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    int n = x.rows();
    copyOut(forward(x, n)[layers.size()], outputs, n * widths[layers.size()]);
  }

  @Override
  public synchronized ModelState snapshot() {
    List<NamedArray> p = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      NamedArray a = paramNames.get(i);
      p.add(new NamedArray(a.name(), a.shape().clone(), params[i].clone()));
    }
    List<NamedArray> s = new ArrayList<>();
    for (int i = 0; i < slots.length; i++) {
      NamedArray a = slotNames.get(i);
      s.add(new NamedArray(a.name(), a.shape().clone(), slots[i].clone()));
    }
    return new ModelState(p, s, iterations);
  }

  @Override
  public synchronized void restore(ModelState state) {
    spec.checkCompatible(state);
    for (int i = 0; i < params.length; i++) {
      params[i] = state.parameters().get(i).values().clone();
    }
    for (int i = 0; i < slots.length; i++) {
      slots[i] = state.slots().get(i).values().clone();
    }
    iterations = state.iterations();
  }

  /** Training steps taken. */
  public synchronized long iterations() {
    return iterations;
  }

  @Override
  public void close() {}
}
