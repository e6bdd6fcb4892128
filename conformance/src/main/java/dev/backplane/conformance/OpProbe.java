package dev.backplane.conformance;

import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny model that isolates one layer, activation or loss, with the data to run it on.
 *
 * @param inputShape per-sample input shape
 * @param layers the named layers
 * @param loss the loss
 * @param labels what kind of labels the loss takes
 * @param kink where the model's derivative jumps, which finite differences must stay away from
 */
record OpProbe(int[] inputShape, List<Layer> layers, Loss loss, Labels labels, Kink kink) {
  /** Samples per probe batch. */
  static final int BATCH = 8;
  private static final long WEIGHT_SEED = 11;
  private static final long DATA_SEED = 7;

  /** Label kinds. */
  enum Labels {
    /** Uniform in [-1, 1) (regression losses). */
    REAL,
    /** 0 or 1 per output (binary cross-entropy). */
    BINARY,
    /** One-hot rows (categorical cross-entropy). */
    ONE_HOT,
    /** Integer class indices (sparse categorical cross-entropy). */
    SPARSE
  }

  /** Kinks of the derivative. */
  enum Kink {
    /** Smooth everywhere. */
    NONE,
    /** At a zero pre-activation of the first Dense layer (relu, leaky_relu, elu). */
    AT_ZERO,
    /** Where the (linear) output equals the label (mean absolute error). */
    AT_LABEL
  }

  /** A probe with MSE on real labels and no kink. */
  static OpProbe mse(int[] inputShape, Layer... layers) {
    return new OpProbe(inputShape, Data.named(layers), Loss.MEAN_SQUARED_ERROR, Labels.REAL,
        Kink.NONE);
  }

  /** The same probe with a kink. */
  OpProbe withKink(Kink k) {
    return new OpProbe(inputShape, layers, loss, labels, k);
  }

  /**
   * The spec to compile, with these parameters; its optimizer is SGD with learning rate 1, so
   * one train step subtracts exactly the gradient.
   */
  ModelSpec spec(List<NamedArray> parameters) {
    return ModelSpec.withParameters("conformance_probe", inputShape, layers, loss, new SGD(1.0),
        WEIGHT_SEED, parameters);
  }

  /** Inputs, labels and parameters (non-zero biases), at least the kink margin from any kink. */
  Batch batch() {
    List<NamedArray> params = parameters();
    for (int attempt = 0; attempt < 100; attempt++) {
      SplittableRandom r = new SplittableRandom(DATA_SEED + attempt);
      Tensor x = Data.uniform(r, BATCH, inputShape);
      Tensor y = labels(r, spec(params).outputSize());
      if (kinkDistance(params, x, y) >= Tolerances.FD_KINK_MARGIN) {
        return new Batch(x, y, params);
      }
    }
    throw new IllegalStateException("No probe data keeps clear of the kink; widen the search");
  }

  private List<NamedArray> parameters() {
    SplittableRandom r = new SplittableRandom(WEIGHT_SEED * 31);
    List<NamedArray> out = new ArrayList<>();
    for (NamedArray p : ModelSpec.initialParameters(inputShape, layers, WEIGHT_SEED)) {
      NamedArray copy = p.copy();
      if (p.name().endsWith("/bias")) {
        float[] v = copy.values();
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) r.nextDouble(-0.5, 0.5);
        }
      }
      out.add(copy);
    }
    return out;
  }

  private Tensor labels(SplittableRandom r, int outputs) {
    switch (labels) {
      case REAL:
        return Data.uniform(r, BATCH, outputs);
      case BINARY:
        return Data.binary(r, BATCH, outputs);
      case ONE_HOT:
        return Data.oneHot(Data.classes(r, BATCH, outputs), outputs);
      case SPARSE:
        return Tensor.ofLabels(Data.classes(r, BATCH, outputs));
      default:
        throw new IllegalStateException("Unhandled labels " + labels);
    }
  }

  /** The smallest distance of a pre-activation (or residual) of the first Dense from its kink. */
  private double kinkDistance(List<NamedArray> params, Tensor x, Tensor y) {
    if (kink == Kink.NONE) {
      return Double.POSITIVE_INFINITY;
    }
    Dense dense = (Dense) layers.stream().filter(l -> l instanceof Dense).findFirst()
        .orElseThrow();
    float[] kernel = find(params, dense.name() + "/kernel").values();
    float[] bias = dense.useBias() ? find(params, dense.name() + "/bias").values() : null;
    int in = x.rowSize();
    int units = dense.units();
    double min = Double.POSITIVE_INFINITY;
    for (int s = 0; s < x.rows(); s++) {
      for (int u = 0; u < units; u++) {
        double z = bias == null ? 0 : bias[u];
        for (int k = 0; k < in; k++) {
          z += (double) x.get(s * in + k) * kernel[k * units + u];
        }
        double d = kink == Kink.AT_ZERO ? Math.abs(z) : Math.abs(z - y.get(s * units + u));
        min = Math.min(min, d);
      }
    }
    return min;
  }

  private static NamedArray find(List<NamedArray> params, String name) {
    return params.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  /** Data and parameters of one probe. */
  record Batch(Tensor x, Tensor y, List<NamedArray> params) {}
}
