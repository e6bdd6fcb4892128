package dev.backplane.accelerate;

import dev.backplane.config.BackplaneConfig;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/** Shared test setup: isolated configurations, models with named layers, seeded data. */
final class Fixtures {
  private Fixtures() {}

  /** A context with only the given keys set (no system properties, environment or file). */
  static BackendContext context(boolean reference, String... keyValues) {
    BackplaneConfig.Builder b = BackplaneConfig.builder().systemProperties(new Properties())
        .environment(Map.of()).classpathFile(false);
    for (int i = 0; i < keyValues.length; i += 2) {
      b.set(keyValues[i], keyValues[i + 1]);
    }
    return new BackendContext(b.build(), reference);
  }

  /** A backend with {@code backplane.accelerate.blas} and {@code backplane.threads} set. */
  static AccelerateBackend backend(String blas, int threads) {
    return AccelerateBackend.open(context(false, BlasMode.KEY.name(), blas, "backplane.threads",
        Integer.toString(threads)));
  }

  /** Names layers {@code l0, l1, ...} as a model would. */
  static List<Layer> named(Layer... layers) {
    List<Layer> out = new ArrayList<>();
    for (int i = 0; i < layers.length; i++) {
      out.add(layers[i].name() == null ? layers[i].withName("l" + i) : layers[i]);
    }
    return out;
  }

  static ModelSpec spec(int inputs, Loss loss, Optimizer optimizer, long seed, Layer... layers) {
    return ModelSpec.create("test", new int[] {inputs}, named(layers), loss, optimizer, seed);
  }

  /** A tensor of {@code rows × cols} uniform values in {@code [lo, hi)}. */
  static Tensor uniform(long seed, int rows, int cols, double lo, double hi) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble(lo, hi);
    }
    return Tensor.wrap(v, rows, cols);
  }

  /** Labels for a loss: one-hot rows, class indices, 0/1 values or regression targets. */
  static Tensor labels(long seed, int rows, int outputs, Loss loss) {
    SplittableRandom r = new SplittableRandom(seed);
    switch (loss.type()) {
      case SPARSE_CATEGORICAL_CROSSENTROPY: {
        int[] classes = new int[rows];
        for (int i = 0; i < rows; i++) {
          classes[i] = r.nextInt(outputs);
        }
        return Tensor.ofLabels(classes);
      }
      case CATEGORICAL_CROSSENTROPY: {
        float[] v = new float[rows * outputs];
        for (int i = 0; i < rows; i++) {
          v[i * outputs + r.nextInt(outputs)] = 1;
        }
        return Tensor.wrap(v, rows, outputs);
      }
      case BINARY_CROSSENTROPY: {
        float[] v = new float[rows * outputs];
        for (int i = 0; i < v.length; i++) {
          v[i] = r.nextInt(2);
        }
        return Tensor.wrap(v, rows, outputs);
      }
      default:
        return uniform(seed, rows, outputs, -1, 1);
    }
  }

  /** Trains {@code steps} steps on the same batch and returns the loss sums. */
  static double[] train(Executable exe, Tensor x, Tensor y, int outputs, int steps) {
    float[] out = new float[x.rows() * outputs];
    double[] losses = new double[steps];
    for (int s = 0; s < steps; s++) {
      losses[s] = exe.trainStep(x, y, out);
    }
    return losses;
  }

  /** All parameter values of a state, concatenated. */
  static float[] flatParameters(ModelState state) {
    int size = state.parameters().stream().mapToInt(a -> a.values().length).sum();
    float[] all = new float[size];
    int at = 0;
    for (var a : state.parameters()) {
      System.arraycopy(a.values(), 0, all, at, a.values().length);
      at += a.values().length;
    }
    return all;
  }
}
