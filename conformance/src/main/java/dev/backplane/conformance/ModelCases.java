package dev.backplane.conformance;

import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The whole-model cases of the kit, each from a fixed seed. Small enough to train in well under a
 * second on a CPU, large enough to exercise every activation, loss and optimizer together, a short
 * last batch and more than one epoch.
 */
public final class ModelCases {
  /** Seed of every case: initial weights, shuffling, dropout. */
  public static final long SEED = 42;

  private ModelCases() {}

  /** Every case of {@code model/*}, in report order (dropout in predict mode is separate). */
  public static List<ModelCase> all() {
    return List.of(reference(), softmaxSparse(), softmaxOneHot(), regressionMse(),
        regressionMae(), deepMlp(0.0), convnetBatchNorm(), embedding());
  }

  /**
   * A small convnet with batch normalization: {@code (8, 8, 1) → Conv2D(4, 3, relu) →
   * BatchNormalization → MaxPooling2D(2) → Flatten → Dense(3, softmax)}, Adam(0.01), sparse CE;
   * the class is which third of the image holds a bright bar.
   */
  public static ModelCase convnetBatchNorm() {
    SplittableRandom r = new SplittableRandom(303);
    int n = 96;
    float[] x = new float[n * 64];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(3);
      labels[i] = c;
      for (int p = 0; p < 64; p++) {
        int col = p % 8;
        boolean bar = col >= c * 3 && col < c * 3 + 2;
        x[i * 64 + p] = (float) ((bar ? 0.7 : 0.0) + 0.3 * r.nextDouble());
      }
    }
    return new ModelCase("convnet_batchnorm", "(8, 8, 1) -> Conv2D(4, 3, relu) ->"
        + " BatchNormalization -> MaxPooling2D(2) -> Flatten -> Dense(3, softmax), Adam(0.01),"
        + " sparse categorical CE", new int[] {8, 8, 1}, Data.named(
            new dev.backplane.model.Conv2D(4, 3, "relu"),
            new dev.backplane.model.BatchNormalization(),
            new dev.backplane.model.MaxPooling2D(2), new dev.backplane.model.Flatten(),
            new Dense(3, "softmax")), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(0.01), SEED,
        Tensor.wrap(x, n, 8, 8, 1), Tensor.ofLabels(labels), 3, 32);
  }

  /**
   * An embedding model: 6 token ids in [0, 20) → Embedding(20, 4) → GlobalAveragePooling1D →
   * Dense(1, sigmoid), Adam(0.01), binary CE; the label is whether token 3 occurs.
   */
  public static ModelCase embedding() {
    SplittableRandom r = new SplittableRandom(404);
    int n = 128;
    float[] x = new float[n * 6];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 6; j++) {
        int t = r.nextInt(20);
        x[i * 6 + j] = t;
        if (t == 3) {
          y[i] = 1;
        }
      }
    }
    return new ModelCase("embedding", "6 token ids -> Embedding(20, 4) -> GlobalAveragePooling1D"
        + " -> Dense(1, sigmoid), Adam(0.01), BCE", new int[] {6}, Data.named(
            new dev.backplane.model.Embedding(20, 4),
            new dev.backplane.model.GlobalAveragePooling1D(), new Dense(1, "sigmoid")),
        Loss.BINARY_CROSSENTROPY, new Adam(0.01), SEED, Tensor.wrap(x, n, 6),
        Tensor.wrap(y, n, 1), 3, 32);
  }

  /**
   * The reference model: {@code 10 → Dense(128, relu) → Dense(1, sigmoid)}, Adam, binary
   * cross-entropy, 256 samples, batch 32, 3 epochs.
   */
  public static ModelCase reference() {
    SplittableRandom r = new SplittableRandom(101);
    int n = 256;
    Tensor x = Data.uniform(r, n, 10);
    double[] w = new double[10];
    for (int j = 0; j < 10; j++) {
      w[j] = r.nextDouble(-1, 1);
    }
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0.3 * x.get(i, 0) * x.get(i, 1);
      for (int j = 0; j < 10; j++) {
        s += w[j] * x.get(i, j);
      }
      y[i] = s > 0 ? 1f : 0f;
    }
    return new ModelCase("reference", "10 -> Dense(128, relu) -> Dense(1, sigmoid), Adam, BCE",
        new int[] {10}, Data.named(new Dense(128, "relu"), new Dense(1, "sigmoid")),
        Loss.BINARY_CROSSENTROPY, new Adam(), SEED, x, Tensor.wrap(y, n, 1), 3, 32);
  }

  /** Three blobs in 4-D with integer labels: {@code Dense(16, relu) → Dense(3, softmax)}, Adam. */
  public static ModelCase softmaxSparse() {
    Blobs b = blobs();
    return new ModelCase("softmax_sparse",
        "4 -> Dense(16, relu) -> Dense(3, softmax), Adam(0.01), sparse categorical CE",
        new int[] {4}, Data.named(new Dense(16, "relu"), new Dense(3, "softmax")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(0.01), SEED, b.x,
        Tensor.ofLabels(b.labels), 3, 32);
  }

  /** The same blobs with one-hot labels, categorical cross-entropy and SGD with momentum. */
  public static ModelCase softmaxOneHot() {
    Blobs b = blobs();
    return new ModelCase("softmax_onehot",
        "4 -> Dense(16, relu) -> Dense(3, softmax), SGD(0.05, momentum 0.9), categorical CE",
        new int[] {4}, Data.named(new Dense(16, "relu"), new Dense(3, "softmax")),
        Loss.CATEGORICAL_CROSSENTROPY, new SGD(0.05, 0.9, false), SEED, b.x,
        Data.oneHot(b.labels, 3), 3, 32);
  }

  /** Regression of a smooth function of 5 inputs with mean squared error and plain SGD. */
  public static ModelCase regressionMse() {
    Regression d = regression();
    return new ModelCase("regression_mse", "5 -> Dense(16, tanh) -> Dense(1), SGD(0.05), MSE",
        new int[] {5}, Data.named(new Dense(16, "tanh"), new Dense(1)),
        Loss.MEAN_SQUARED_ERROR, new SGD(0.05), SEED, d.x, d.y, 3, 32);
  }

  /** The same regression with mean absolute error and RMSprop. */
  public static ModelCase regressionMae() {
    Regression d = regression();
    return new ModelCase("regression_mae", "5 -> Dense(16, tanh) -> Dense(1), RMSprop(0.005), MAE",
        new int[] {5}, Data.named(new Dense(16, "tanh"), new Dense(1)),
        Loss.MEAN_ABSOLUTE_ERROR, new RMSprop(0.005), SEED, d.x, d.y, 3, 32);
  }

  /**
   * A deeper MLP with two dropout layers at the given rate: {@code 8 → Dense(32, relu) → Dropout
   * → Dense(32, elu) → Dropout → Dense(16, gelu) → Dense(16, leaky_relu) → Dense(1, sigmoid)},
   * Adam, binary cross-entropy. At rate 0 it must match the reference exactly as any other model.
   */
  public static ModelCase deepMlp(double dropoutRate) {
    SplittableRandom r = new SplittableRandom(303);
    int n = 160;
    Tensor x = Data.uniform(r, n, 8);
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = Math.sin(3 * x.get(i, 0)) + x.get(i, 1) * x.get(i, 2) - 0.5 * x.get(i, 7);
      y[i] = s > 0 ? 1f : 0f;
    }
    List<Layer> layers = Data.named(new Dense(32, "relu"), new Dropout(dropoutRate),
        new Dense(32, "elu"), new Dropout(dropoutRate), new Dense(16, "gelu"),
        new Dense(16, Activation.LEAKY_RELU), new Dense(1, "sigmoid"));
    String id = dropoutRate == 0 ? "deep_mlp_dropout0" : "deep_mlp_dropout" + dropoutRate;
    return new ModelCase(id, "8 -> relu, Dropout(" + dropoutRate + "), elu, Dropout("
        + dropoutRate + "), gelu, leaky_relu -> sigmoid, Adam(0.005), BCE", new int[] {8}, layers,
        Loss.BINARY_CROSSENTROPY, new Adam(0.005), SEED, x, Tensor.wrap(y, n, 1), 3, 32);
  }

  private record Blobs(Tensor x, int[] labels) {}

  private static Blobs blobs() {
    SplittableRandom r = new SplittableRandom(202);
    int n = 192;
    double[][] centers = new double[3][4];
    for (double[] c : centers) {
      for (int j = 0; j < 4; j++) {
        c[j] = r.nextDouble(-2, 2);
      }
    }
    float[] x = new float[n * 4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(3);
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) (centers[labels[i]][j] + 0.8 * r.nextDouble(-1, 1));
      }
    }
    return new Blobs(Tensor.wrap(x, n, 4), labels);
  }

  private record Regression(Tensor x, Tensor y) {}

  private static Regression regression() {
    SplittableRandom r = new SplittableRandom(404);
    int n = 200;
    Tensor x = Data.uniform(r, n, 5);
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = (float) (Math.sin(2 * x.get(i, 0)) + 0.5 * x.get(i, 1) * x.get(i, 2)
          - 0.3 * x.get(i, 4));
    }
    return new Regression(x, Tensor.wrap(y, n, 1));
  }
}
