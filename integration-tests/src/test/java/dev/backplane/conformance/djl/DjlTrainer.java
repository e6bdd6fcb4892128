package dev.backplane.conformance.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import dev.backplane.conformance.Curve;
import dev.backplane.conformance.EpochTrainer;
import dev.backplane.conformance.ModelCase;
import dev.backplane.model.Conv2D;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.MaxPooling2D;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a {@link ModelCase} of Dense layers, or of a small convnet (Conv2D with valid padding and
 * unit strides, MaxPooling2D, Flatten, Dense), with Adam in DJL on PyTorch: PyTorch's {@code
 * linear} (weights in its {@code (out, in)} layout, so our {@code (in, out)} kernels are
 * transposed on the way in and out), PyTorch's {@code conv2d} and {@code max_pool2d} in NCHW
 * (Keras's {@code (kh, kw, in, out)} kernels and NHWC images are permuted here in the oracle, and
 * the activations back to NHWC before Flatten, so the Dense kernel sees Keras's order), PyTorch's
 * activations and autograd, the Keras loss formulas written in NDArray
 * ops, and Keras's Adam update written in NDArray ops (DJL's own {@code Adam} defaults to epsilon
 * 1e-8 and runs a fused engine kernel; Keras's is 1e-7 outside a bias-corrected learning rate).
 * Same initial weights and same batches as the kit.
 */
final class DjlTrainer {
  private DjlTrainer() {}

  static Curve train(ModelCase c) {
    if (!(c.optimizer() instanceof Adam adam)) {
      throw new IllegalArgumentException("DjlTrainer implements Adam only, not " + c.optimizer());
    }
    List<Layer> layers = new ArrayList<>();
    for (Layer l : c.layers()) {
      if (l instanceof Conv2D conv && (conv.padding() != dev.backplane.model.Padding.VALID
          || conv.strides()[0] != 1 || conv.strides()[1] != 1 || conv.dilationRate()[0] != 1
          || conv.dilationRate()[1] != 1 || conv.groups() != 1)) {
        throw new IllegalArgumentException("DjlTrainer runs Conv2D with valid padding, unit"
            + " strides and dilation and one group only, not " + conv);
      }
      if (!(l instanceof Dense || l instanceof Conv2D || l instanceof MaxPooling2D
          || l instanceof Flatten)) {
        throw new IllegalArgumentException("DjlTrainer has no " + l.kerasClass());
      }
      layers.add(l);
    }
    ModelState init = c.spec().initialState();
    List<float[]> w = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    for (NamedArray p : init.parameters()) {
      int[] s = p.shape();
      w.add(theirs(p.values(), s));
      shapes.add(theirShape(s));
    }
    List<float[]> m = new ArrayList<>();
    List<float[]> v = new ArrayList<>();
    for (float[] a : w) {
      m.add(new float[a.length]);
      v.add(new float[a.length]);
    }
    int n = c.x().rows();
    long t = 0;
    List<Double> losses = new ArrayList<>();
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager manager = engine.newBaseManager()) {
      for (int epoch = 0; epoch < c.epochs(); epoch++) {
        double sum = 0;
        for (int[] rows : EpochTrainer.batches(c, epoch)) {
          t++;
          try (NDManager step = manager.newSubManager()) {
            Tensor xb = EpochTrainer.gather(c.x(), rows);
            Tensor yb = EpochTrainer.gather(c.y(), rows);
            long[] dims = new long[xb.shape().length];
            for (int i = 0; i < dims.length; i++) {
              dims[i] = xb.shape()[i];
            }
            NDArray x = step.create(xb.toArray(), new Shape(dims));
            if (dims.length == 4) {
              x = x.transpose(0, 3, 1, 2); // NHWC -> NCHW
            }
            List<NDArray> params = new ArrayList<>();
            for (int i = 0; i < w.size(); i++) {
              NDArray p = step.create(w.get(i), shapes.get(i));
              p.setRequiresGradient(true);
              params.add(p);
            }
            try (GradientCollector gc = engine.newGradientCollector()) {
              NDArray h = x;
              int p = 0;
              for (Layer l : layers) {
                if (l instanceof Dense d) {
                  NDArray weight = params.get(p++);
                  NDArray bias = d.useBias() ? params.get(p++) : null;
                  h = bias == null ? Linear.linear(h, weight).singletonOrThrow()
                      : Linear.linear(h, weight, bias).singletonOrThrow();
                  h = activate(d.activation(), h);
                } else if (l instanceof Conv2D conv) {
                  NDArray weight = params.get(p++);
                  NDArray bias = conv.useBias() ? params.get(p++) : null;
                  h = bias == null ? Conv2d.conv2d(h, weight).singletonOrThrow()
                      : Conv2d.conv2d(h, weight, bias).singletonOrThrow();
                  h = activate(conv.activation(), h);
                } else if (l instanceof MaxPooling2D pool) {
                  Shape size = new Shape(pool.poolSize()[0], pool.poolSize()[1]);
                  Shape stride = new Shape(pool.strides()[0], pool.strides()[1]);
                  h = Pool.maxPool2d(h, size, stride, new Shape(0, 0), false);
                } else {
                  // Flatten in Keras's channels-last order.
                  h = h.transpose(0, 2, 3, 1).reshape(rows.length, -1);
                }
              }
              NDArray perSample = loss(c.loss(), h, yb, step);
              for (float l : perSample.toFloatArray()) {
                sum += l;
              }
              gc.backward(perSample.mean());
            }
            adam(adam, t, params, w, m, v, step);
          }
        }
        losses.add(sum / n);
      }
    }
    List<NamedArray> finalParams = new ArrayList<>();
    List<NamedArray> slots = new ArrayList<>();
    for (int i = 0; i < w.size(); i++) {
      NamedArray p = init.parameters().get(i);
      int[] s = p.shape();
      finalParams.add(new NamedArray(p.name(), s, ours(w.get(i), s)));
      slots.add(new NamedArray(p.name() + "/m", s, ours(m.get(i), s)));
      slots.add(new NamedArray(p.name() + "/v", s, ours(v.get(i), s)));
    }
    return new Curve(losses, new ModelState(finalParams, slots, t));
  }

  private static NDArray activate(dev.backplane.model.Activation a, NDArray h) {
    switch (a) {
      case LINEAR:
        return h;
      case RELU:
        return Activation.relu(h);
      case SIGMOID:
        return Activation.sigmoid(h);
      case TANH:
        return Activation.tanh(h);
      case SOFTMAX:
        return h.softmax(1);
      default:
        throw new IllegalArgumentException("DjlTrainer has no " + a);
    }
  }

  /** Keras's per-sample losses on probabilities: clip to [eps, 1 - eps], then the log terms. */
  private static NDArray loss(Loss loss, NDArray out, Tensor y, NDManager step) {
    float eps = (float) Loss.EPSILON;
    int rows = y.rows();
    switch (loss.type()) {
      case BINARY_CROSSENTROPY: {
        NDArray labels = step.create(y.toArray(), new Shape(rows, y.rowSize()));
        NDArray p = out.clip(eps, 1 - eps);
        NDArray ones = labels.onesLike();
        NDArray ll = labels.mul(p.log()).add(ones.sub(labels).mul(ones.sub(p).log()));
        return ll.neg().mean(new int[] {1});
      }
      case SPARSE_CATEGORICAL_CROSSENTROPY: {
        int k = (int) out.getShape().get(1);
        float[] hot = new float[rows * k];
        for (int r = 0; r < rows; r++) {
          hot[r * k + (int) y.get(r)] = 1;
        }
        NDArray labels = step.create(hot, new Shape(rows, k));
        NDArray q = out.div(out.sum(new int[] {1}, true)).clip(eps, 1 - eps);
        return labels.mul(q.log()).sum(new int[] {1}).neg();
      }
      default:
        throw new IllegalArgumentException("DjlTrainer has no " + loss);
    }
  }

  /** Keras's Adam on NDArrays: bias correction folded into the learning rate, epsilon outside. */
  private static void adam(Adam adam, long t, List<NDArray> params, List<float[]> w,
      List<float[]> m, List<float[]> v, NDManager step) {
    float lr = (float) (adam.learningRate() * Math.sqrt(1 - Math.pow(adam.beta2(), t))
        / (1 - Math.pow(adam.beta1(), t)));
    float b1 = (float) (1 - adam.beta1());
    float b2 = (float) (1 - adam.beta2());
    for (int i = 0; i < params.size(); i++) {
      NDArray g = params.get(i).getGradient();
      Shape s = g.getShape();
      NDArray mi = step.create(m.get(i), s);
      NDArray vi = step.create(v.get(i), s);
      NDArray wi = step.create(w.get(i), s);
      mi = mi.add(g.sub(mi).mul(b1));
      vi = vi.add(g.square().sub(vi).mul(b2));
      wi = wi.sub(mi.mul(lr).div(vi.sqrt().add((float) adam.epsilon())));
      m.set(i, mi.toFloatArray());
      v.set(i, vi.toFloatArray());
      w.set(i, wi.toFloatArray());
    }
  }

  /** Our parameter layout to PyTorch's: Dense {@code (in, out) -> (out, in)}, Conv2D
   * {@code (kh, kw, in, out) -> (out, in, kh, kw)}. */
  private static float[] theirs(float[] ours, int[] s) {
    if (s.length == 2) {
      return transpose(ours, s[0], s[1]);
    }
    if (s.length == 4) {
      float[] t = new float[ours.length];
      for (int i = 0; i < s[0]; i++) {
        for (int j = 0; j < s[1]; j++) {
          for (int ci = 0; ci < s[2]; ci++) {
            for (int co = 0; co < s[3]; co++) {
              t[((co * s[2] + ci) * s[0] + i) * s[1] + j] =
                  ours[((i * s[1] + j) * s[2] + ci) * s[3] + co];
            }
          }
        }
      }
      return t;
    }
    return ours.clone();
  }

  private static Shape theirShape(int[] s) {
    return s.length == 2 ? new Shape(s[1], s[0]) : s.length == 4
        ? new Shape(s[3], s[2], s[0], s[1]) : new Shape(s[0]);
  }

  private static float[] ours(float[] djl, int[] s) {
    if (s.length == 2) {
      return transpose(djl, s[1], s[0]);
    }
    if (s.length == 4) {
      float[] o = new float[djl.length];
      for (int i = 0; i < s[0]; i++) {
        for (int j = 0; j < s[1]; j++) {
          for (int ci = 0; ci < s[2]; ci++) {
            for (int co = 0; co < s[3]; co++) {
              o[((i * s[1] + j) * s[2] + ci) * s[3] + co] =
                  djl[((co * s[2] + ci) * s[0] + i) * s[1] + j];
            }
          }
        }
      }
      return o;
    }
    return djl.clone();
  }

  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }
}
