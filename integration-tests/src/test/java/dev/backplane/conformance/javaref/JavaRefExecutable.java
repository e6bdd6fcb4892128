package dev.backplane.conformance.javaref;

import dev.backplane.Device;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Layer;
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
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A straightforward float32 executable: every layer output rounded to float, sums in float64.
 * Slow and obviously correct is the point.
 */
final class JavaRefExecutable implements Executable {
  private final ModelSpec spec;
  private final Device device;
  private final Set<Fault> faults;
  private final List<Layer> layers;
  private final float[][] params;
  private final float[][] slots;
  private final int[] paramOfLayer;
  private final int slotCount;
  private long iterations;
  private volatile boolean closed;

  JavaRefExecutable(ModelSpec spec, Device device, Set<Fault> faults) {
    this.spec = spec;
    this.device = device;
    this.faults = faults;
    this.layers = spec.layers();
    ModelState init = spec.initialState();
    params = new float[init.parameters().size()][];
    for (int i = 0; i < params.length; i++) {
      params[i] = init.parameters().get(i).values().clone();
    }
    slots = new float[init.slots().size()][];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = init.slots().get(i).values().clone();
    }
    slotCount = spec.optimizer().slotNames().size();
    iterations = init.iterations();
    paramOfLayer = new int[layers.size()];
    int p = 0;
    for (int i = 0; i < layers.size(); i++) {
      paramOfLayer[i] = p;
      p += spec.parametersOf(i).size();
    }
  }

  @Override
  public Device device() {
    return device;
  }

  /** Layer inputs, Dense pre-activations and dropout masks of one forward pass. */
  private static final class Trace {
    final List<double[]> inputs = new ArrayList<>();
    final List<double[]> pre = new ArrayList<>();
    final List<double[]> masks = new ArrayList<>();
    double[] output;
  }

  private Trace forward(Tensor x, boolean training) {
    check();
    if (x.rowSize() != spec.inputSize()) {
      throw new IllegalArgumentException("Layer '" + layers.get(0).name() + "' expects "
          + spec.inputSize() + " values per sample, got " + x.rowSize());
    }
    int n = x.rows();
    double[] cur = new double[n * spec.inputSize()];
    for (int i = 0; i < cur.length; i++) {
      cur[i] = x.get(i);
    }
    Trace t = new Trace();
    for (int li = 0; li < layers.size(); li++) {
      Layer layer = layers.get(li);
      t.inputs.add(cur);
      t.pre.add(null);
      t.masks.add(null);
      if (layer instanceof Dense d) {
        int in = cur.length / n;
        double[] z = dense(cur, n, in, d, li);
        t.pre.set(li, z);
        cur = activate(d.activation(), z, n, d.units());
      } else if (layer instanceof ActivationLayer a) {
        t.pre.set(li, cur);
        cur = activate(a.activation(), cur, n, cur.length / n);
      } else if (layer instanceof Dropout d) {
        boolean apply = (training || faults.contains(Fault.DROPOUT_IN_PREDICT)) && d.rate() > 0;
        if (apply) {
          double[] mask = mask(cur.length, d.rate(), li);
          t.masks.set(li, mask);
          double[] o = new double[cur.length];
          for (int i = 0; i < o.length; i++) {
            o[i] = (float) (cur[i] * mask[i]);
          }
          cur = o;
        }
      }
      // Flatten: row-major data does not move.
    }
    t.output = cur;
    return t;
  }

  private double[] dense(double[] x, int n, int in, Dense d, int li) {
    float[] kernel = params[paramOfLayer[li]];
    float[] bias = d.useBias() && !faults.contains(Fault.BIAS_IGNORED)
        ? params[paramOfLayer[li] + 1] : null;
    int units = d.units();
    double[] z = new double[n * units];
    for (int s = 0; s < n; s++) {
      for (int u = 0; u < units; u++) {
        double acc = bias == null ? 0 : bias[u];
        for (int k = 0; k < in; k++) {
          acc += x[s * in + k] * kernel[k * units + u];
        }
        z[s * units + u] = (float) acc;
      }
    }
    return z;
  }

  private double[] activate(Activation a, double[] z, int n, int width) {
    double[] y = new double[z.length];
    double[] rowZ = new double[width];
    double[] rowY = new double[width];
    for (int s = 0; s < n; s++) {
      System.arraycopy(z, s * width, rowZ, 0, width);
      Kernels.activate(a, rowZ, rowY, faults);
      for (int j = 0; j < width; j++) {
        y[s * width + j] = (float) rowY[j];
      }
    }
    return y;
  }

  private double[] mask(int size, double rate, int layerIndex) {
    long seed = faults.contains(Fault.NONDETERMINISTIC_DROPOUT) ? System.nanoTime()
        : spec.seed() * 1_000_003L + iterations * 7919L + layerIndex;
    SplittableRandom r = new SplittableRandom(seed);
    double scale = 1 / (1 - rate);
    double[] m = new double[size];
    for (int i = 0; i < size; i++) {
      m[i] = r.nextDouble() >= rate ? scale : 0;
    }
    return m;
  }

  @Override
  public synchronized double trainStep(Tensor x, Tensor y, float[] outputs) {
    Trace t = forward(x, true);
    int n = x.rows();
    int k = spec.outputSize();
    double[] grad = new double[n * k];
    double loss = lossAndGradient(t.output, y, grad, n, k);
    for (int i = 0; i < grad.length; i++) {
      grad[i] /= n;
    }
    double[][] grads = backward(t, grad, n);
    update(grads);
    iterations++;
    copy(t.output, outputs);
    return loss;
  }

  private double lossAndGradient(double[] out, Tensor y, double[] grad, int n, int k) {
    double sum = 0;
    double[] row = new double[k];
    double[] g = new double[k];
    float[] labels = y.toArray();
    int yRow = y.rowSize();
    for (int s = 0; s < n; s++) {
      System.arraycopy(out, s * k, row, 0, k);
      sum += Kernels.loss(spec.loss(), row, labels, s * yRow, g);
      System.arraycopy(g, 0, grad, s * k, k);
    }
    return sum;
  }

  private double[][] backward(Trace t, double[] dOut, int n) {
    double[][] grads = new double[params.length][];
    double[] dy = dOut;
    for (int li = layers.size() - 1; li >= 0; li--) {
      Layer layer = layers.get(li);
      double[] in = t.inputs.get(li);
      if (layer instanceof Dense d) {
        int units = d.units();
        int width = in.length / n;
        double[] z = t.pre.get(li);
        double[] y = activate(d.activation(), z, n, units);
        double[] dz = activationBackward(d.activation(), z, y, dy, n, units);
        float[] kernel = params[paramOfLayer[li]];
        double[] dk = new double[kernel.length];
        double[] dx = new double[in.length];
        for (int s = 0; s < n; s++) {
          for (int kk = 0; kk < width; kk++) {
            double xv = in[s * width + kk];
            double acc = 0;
            for (int u = 0; u < units; u++) {
              double g = dz[s * units + u];
              dk[kk * units + u] += xv * g;
              acc += g * kernel[kk * units + u];
            }
            dx[s * width + kk] = acc;
          }
        }
        grads[paramOfLayer[li]] = dk;
        if (d.useBias()) {
          double[] db = new double[units];
          for (int s = 0; s < n; s++) {
            for (int u = 0; u < units; u++) {
              db[u] += dz[s * units + u];
            }
          }
          grads[paramOfLayer[li] + 1] = db;
        }
        dy = dx;
      } else if (layer instanceof ActivationLayer a) {
        int width = in.length / n;
        double[] y = activate(a.activation(), in, n, width);
        dy = activationBackward(a.activation(), in, y, dy, n, width);
      } else if (layer instanceof Dropout) {
        double[] mask = t.masks.get(li);
        if (mask != null) {
          double[] dx = new double[dy.length];
          for (int i = 0; i < dx.length; i++) {
            dx[i] = dy[i] * mask[i];
          }
          dy = dx;
        }
      }
    }
    return grads;
  }

  private double[] activationBackward(Activation a, double[] z, double[] y, double[] dy, int n,
      int width) {
    double[] dz = new double[z.length];
    double[] rz = new double[width];
    double[] ry = new double[width];
    double[] rdy = new double[width];
    double[] rdz = new double[width];
    for (int s = 0; s < n; s++) {
      System.arraycopy(z, s * width, rz, 0, width);
      System.arraycopy(y, s * width, ry, 0, width);
      System.arraycopy(dy, s * width, rdy, 0, width);
      Kernels.backward(a, rz, ry, rdy, rdz, faults);
      System.arraycopy(rdz, 0, dz, s * width, width);
    }
    return dz;
  }

  private void update(double[][] grads) {
    Optimizer opt = spec.optimizer();
    long t = iterations + 1;
    for (int p = 0; p < params.length; p++) {
      float[] w = params[p];
      double[] g = grads[p];
      int s0 = p * slotCount;
      if (opt instanceof SGD sgd) {
        for (int i = 0; i < w.length; i++) {
          if (sgd.momentum() == 0) {
            w[i] = (float) (w[i] - sgd.learningRate() * g[i]);
          } else {
            float[] v = slots[s0];
            v[i] = (float) (sgd.momentum() * v[i] - sgd.learningRate() * g[i]);
            boolean nesterov = sgd.nesterov() && !faults.contains(Fault.NESTEROV_IGNORED);
            w[i] = (float) (nesterov ? w[i] + sgd.momentum() * v[i] - sgd.learningRate() * g[i]
                : w[i] + v[i]);
          }
        }
      } else if (opt instanceof Adam adam) {
        float[] m = slots[s0];
        float[] v = slots[s0 + 1];
        double lr = faults.contains(Fault.ADAM_NO_BIAS_CORRECTION) ? adam.learningRate()
            : adam.learningRate() * Math.sqrt(1 - Math.pow(adam.beta2(), t))
                / (1 - Math.pow(adam.beta1(), t));
        for (int i = 0; i < w.length; i++) {
          m[i] = (float) (m[i] + (g[i] - m[i]) * (1 - adam.beta1()));
          v[i] = (float) (v[i] + (g[i] * g[i] - v[i]) * (1 - adam.beta2()));
          w[i] = (float) (w[i] - lr * m[i] / (Math.sqrt(v[i]) + adam.epsilon()));
        }
      } else if (opt instanceof RMSprop rms) {
        float[] vel = slots[s0];
        for (int i = 0; i < w.length; i++) {
          vel[i] = (float) (rms.rho() * vel[i] + (1 - rms.rho()) * g[i] * g[i]);
          double step = rms.learningRate() * g[i] / Math.sqrt(vel[i] + rms.epsilon());
          if (rms.momentum() > 0) {
            float[] mom = slots[s0 + 1];
            mom[i] = (float) (rms.momentum() * mom[i] + step);
            w[i] = w[i] - mom[i];
          } else {
            w[i] = (float) (w[i] - step);
          }
        }
      }
    }
  }

  @Override
  public synchronized double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    Trace t = forward(x, false);
    int n = x.rows();
    int k = spec.outputSize();
    double loss = lossAndGradient(t.output, y, new double[n * k], n, k);
    copy(t.output, outputs);
    return loss;
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    copy(forward(x, false).output, outputs);
  }

  private static void copy(double[] from, float[] to) {
    for (int i = 0; i < from.length; i++) {
      to[i] = (float) from[i];
    }
  }

  @Override
  public synchronized ModelState snapshot() {
    check();
    ModelState init = spec.initialState();
    boolean share = faults.contains(Fault.SNAPSHOT_SHARES_ARRAYS);
    List<NamedArray> ps = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      NamedArray a = init.parameters().get(i);
      ps.add(new NamedArray(a.name(), a.shape(), share ? params[i] : params[i].clone()));
    }
    List<NamedArray> ss = new ArrayList<>();
    for (int i = 0; i < slots.length; i++) {
      NamedArray a = init.slots().get(i);
      ss.add(new NamedArray(a.name(), a.shape(), share ? slots[i] : slots[i].clone()));
    }
    long it = faults.contains(Fault.SNAPSHOT_DROPS_ITERATIONS) ? 0 : iterations;
    return new ModelState(ps, ss, it);
  }

  @Override
  public synchronized void restore(ModelState state) {
    check();
    spec.checkCompatible(state);
    for (int i = 0; i < params.length; i++) {
      params[i] = state.parameters().get(i).values().clone();
    }
    for (int i = 0; i < slots.length; i++) {
      slots[i] = state.slots().get(i).values().clone();
    }
    iterations = state.iterations();
  }

  private void check() {
    if (closed) {
      throw new IllegalStateException("Executable '" + spec.name() + "' is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
