package dev.backplane.conformance.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import dev.backplane.conformance.Curve;
import dev.backplane.conformance.EpochTrainer;
import dev.backplane.conformance.ModelCase;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a Dense-only {@link ModelCase} with Adam in DJL on PyTorch: PyTorch's {@code linear}
 * (weights in its {@code (out, in)} layout, so our {@code (in, out)} kernels are transposed on the
 * way in and out), PyTorch's activations and autograd, the Keras loss formulas written in NDArray
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
    List<Dense> layers = new ArrayList<>();
    for (Layer l : c.layers()) {
      layers.add((Dense) l);
    }
    ModelState init = c.spec().initialState();
    List<float[]> w = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    for (NamedArray p : init.parameters()) {
      int[] s = p.shape();
      if (s.length == 2) {
        w.add(transpose(p.values(), s[0], s[1]));
        shapes.add(new Shape(s[1], s[0]));
      } else {
        w.add(p.values().clone());
        shapes.add(new Shape(s[0]));
      }
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
            NDArray x = step.create(xb.toArray(), new Shape(rows.length, xb.rowSize()));
            List<NDArray> params = new ArrayList<>();
            for (int i = 0; i < w.size(); i++) {
              NDArray p = step.create(w.get(i), shapes.get(i));
              p.setRequiresGradient(true);
              params.add(p);
            }
            try (GradientCollector gc = engine.newGradientCollector()) {
              NDArray h = x;
              int p = 0;
              for (Dense d : layers) {
                NDArray weight = params.get(p++);
                NDArray bias = d.useBias() ? params.get(p++) : null;
                h = bias == null ? Linear.linear(h, weight).singletonOrThrow()
                    : Linear.linear(h, weight, bias).singletonOrThrow();
                h = activate(d, h);
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

  private static NDArray activate(Dense d, NDArray h) {
    switch (d.activation()) {
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
        throw new IllegalArgumentException("DjlTrainer has no " + d.activation());
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

  private static float[] ours(float[] djl, int[] shape) {
    return shape.length == 2 ? transpose(djl, shape[1], shape[0]) : djl.clone();
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
