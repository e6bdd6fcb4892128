package dev.backplane.cli.bench;

import dev.backplane.model.Conv2D;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.MaxPooling2D;
import dev.backplane.model.Sequential;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A multilayer perceptron to train, with its seeded in-process data: Dense layers with relu
 * between them and sigmoid + binary cross-entropy (one output) or softmax + sparse categorical
 * cross-entropy (several outputs) at the end; Adam with Keras's defaults; no shuffling, so every
 * runner sees the same batches in the same order.
 *
 * <p>Immutable; the data arrays are shared, never written.
 */
public final class MlpTask {
  private final String name;
  private final int[] sizes;
  private final int batchSize;
  private final Tensor x;
  private final Tensor y;
  private final long seed;
  /** The input shape of one sample, and whether the model is the MNIST convnet. */
  private final int[] inputShape;
  private final boolean convnet;

  private MlpTask(String name, int[] sizes, int batchSize, Tensor x, Tensor y, long seed) {
    this(name, sizes, batchSize, x, y, seed, new int[] {sizes[0]}, false);
  }

  private MlpTask(String name, int[] sizes, int batchSize, Tensor x, Tensor y, long seed,
      int[] inputShape, boolean convnet) {
    this.inputShape = inputShape.clone();
    this.convnet = convnet;
    this.name = name;
    this.sizes = sizes.clone();
    this.batchSize = batchSize;
    this.x = x;
    this.y = y;
    this.seed = seed;
  }

  /**
   * {@code seed-mlp}: 1000×10 uniform inputs, Dense(128, relu) → Dense(1, sigmoid), batch 32.
   *
   * @param learnable labels from a fixed random hyperplane (else random 0/1, nothing to learn)
   */
  public static MlpTask seedMlp(long seed, boolean learnable) {
    int n = 1000;
    int features = 10;
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = uniform(random, n * features);
    float[] y = new float[n];
    double[] w = new double[features];
    for (int j = 0; j < features; j++) {
      w[j] = random.nextDouble(-1, 1);
    }
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < features; j++) {
        s += w[j] * (x[i * features + j] - 0.5);
      }
      y[i] = learnable ? (s > 0 ? 1 : 0) : random.nextInt(2);
    }
    return new MlpTask(learnable ? "seed-mlp (separable labels)" : "seed-mlp",
        new int[] {features, 128, 1}, 32, Tensor.wrap(x, n, features), Tensor.wrap(y, n, 1), seed);
  }

  /**
   * {@code mnist-mlp}: MNIST-sized synthetic data, 784 features in [0, 1) and 10 classes, each
   * class brightening its own random third of the pixels by 0.1 (learnable, like digits);
   * Dense(512, relu) → Dense(512, relu) → Dense(10, softmax), batch 128.
   *
   * @param samples 60000 for the benchmark; fewer for smoke tests and loss checks
   */
  public static MlpTask mnistMlp(long seed, int samples) {
    int features = 784;
    int classes = 10;
    SplittableRandom random = new SplittableRandom(seed);
    boolean[][] prototype = new boolean[classes][features];
    for (boolean[] p : prototype) {
      for (int j = 0; j < features; j++) {
        p[j] = random.nextInt(3) == 0;
      }
    }
    float[] x = new float[samples * features];
    int[] labels = new int[samples];
    for (int i = 0; i < samples; i++) {
      int c = random.nextInt(classes);
      labels[i] = c;
      for (int j = 0; j < features; j++) {
        x[i * features + j] = (float) (random.nextDouble() * 0.9 + (prototype[c][j] ? 0.1 : 0));
      }
    }
    return new MlpTask(samples == 60000 ? "mnist-mlp" : "mnist-mlp (" + samples + " samples)",
        new int[] {features, 512, 512, classes}, 128, Tensor.wrap(x, samples, features),
        Tensor.ofLabels(labels), seed);
  }

  /**
   * {@code mnist-cnn}: 28×28×1 samples and 10 classes through the Keras MNIST convnet without its
   * Dropout: Conv2D(32, 3, relu) → MaxPooling2D(2) → Conv2D(64, 3, relu) → MaxPooling2D(2) →
   * Flatten → Dense(10, softmax), batch 128.
   *
   * @param samples 8192 for the benchmark
   * @param learnable pixels U[0, 0.5), each class brightening its own random third by 0.5 (else
   *     pixels U[0, 1) and random labels 0..9, as the issue defines the timed workload)
   */
  public static MlpTask mnistCnn(long seed, int samples, boolean learnable) {
    int features = 784;
    int classes = 10;
    SplittableRandom random = new SplittableRandom(seed);
    boolean[][] prototype = new boolean[classes][features];
    for (boolean[] p : prototype) {
      for (int j = 0; j < features; j++) {
        p[j] = random.nextInt(3) == 0;
      }
    }
    float[] x = new float[samples * features];
    int[] labels = new int[samples];
    for (int i = 0; i < samples; i++) {
      int c = random.nextInt(classes);
      labels[i] = c;
      for (int j = 0; j < features; j++) {
        x[i * features + j] = learnable
            ? (float) (random.nextDouble() * 0.5 + (prototype[c][j] ? 0.5 : 0))
            : (float) random.nextDouble();
      }
    }
    String name = "mnist-cnn" + (learnable ? " (learnable, " + samples + " samples)"
        : samples == 8192 ? "" : " (" + samples + " samples)");
    return new MlpTask(name, new int[] {features, classes}, 128,
        Tensor.wrap(x, samples, 28, 28, 1), Tensor.ofLabels(labels), seed,
        new int[] {28, 28, 1}, true);
  }

  /** Whether the model is the MNIST convnet ({@link #mnistCnn}) rather than an MLP. */
  public boolean convnet() {
    return convnet;
  }

  /** The shape of one input sample: {@code {inputs()}}, or {@code {28, 28, 1}} for the convnet. */
  public int[] inputShape() {
    return inputShape.clone();
  }

  private static float[] uniform(SplittableRandom random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextDouble();
    }
    return values;
  }

  /** A readable name, e.g. {@code seed-mlp}. */
  public String name() {
    return name;
  }

  /** Layer widths, inputs first: {@code {10, 128, 1}} or {@code {784, 512, 512, 10}}. */
  public int[] sizes() {
    return sizes.clone();
  }

  /** Input features per sample. */
  public int inputs() {
    return sizes[0];
  }

  /** Outputs per sample: 1 (sigmoid) or the number of classes (softmax). */
  public int outputs() {
    return sizes[sizes.length - 1];
  }

  /** Whether the output is a softmax trained with sparse categorical cross-entropy. */
  public boolean sparse() {
    return outputs() > 1;
  }

  /** Samples per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Inputs, {@code (samples, inputs)}. */
  public Tensor x() {
    return x;
  }

  /** Labels, {@code (samples, 1)}: 0/1, or class indices as floats. */
  public Tensor y() {
    return y;
  }

  /** Number of samples. */
  public int samples() {
    return x.rows();
  }

  /** The seed of the data and of the initial weights. */
  public long seed() {
    return seed;
  }

  /** Keras's name of the loss. */
  public String loss() {
    return sparse() ? "sparse_categorical_crossentropy" : "binary_crossentropy";
  }

  /** The model's layers: Dense with relu, the last with sigmoid or softmax. */
  public List<Layer> layers() {
    List<Layer> layers = new ArrayList<>();
    if (convnet) {
      layers.add(new Conv2D(32, 3, "relu"));
      layers.add(new MaxPooling2D(2));
      layers.add(new Conv2D(64, 3, "relu"));
      layers.add(new MaxPooling2D(2));
      layers.add(new Flatten());
      layers.add(new Dense(outputs(), "softmax"));
      return layers;
    }
    for (int i = 1; i < sizes.length; i++) {
      boolean last = i == sizes.length - 1;
      layers.add(new Dense(sizes[i], !last ? "relu" : sparse() ? "softmax" : "sigmoid"));
    }
    return layers;
  }

  /** A fresh, uncompiled {@link Sequential} of this model. */
  public Sequential sequential() {
    return new Sequential(inputShape, layers().toArray(Layer[]::new));
  }

  /**
   * The initial kernels and biases drawn from the seed as Backplane draws them: kernel
   * {@code (in, out)} row-major then bias {@code (out)}, per layer. Peers start from these too.
   */
  public List<float[]> initialWeights() {
    List<float[]> weights = new ArrayList<>();
    for (NamedArray p : ModelSpec.initialParameters(inputShape, sequential().layers(),
        seed)) {
      weights.add(p.values());
    }
    return weights;
  }
}
