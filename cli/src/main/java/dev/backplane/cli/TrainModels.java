package dev.backplane.cli;

import dev.backplane.examples.Huber;
import dev.backplane.examples.RmsNorm;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.Input;
import dev.backplane.model.KerasTensor;
import dev.backplane.model.Loss;
import dev.backplane.model.Merge;
import dev.backplane.model.Model;
import dev.backplane.model.Sequential;
import dev.backplane.tensor.Tensor;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The models {@code backplane train --model NAME} trains: each a model, its data and how it is
 * compiled.
 */
final class TrainModels {
  private TrainModels() {}

  /** A model ready to compile, with its data. */
  record Job(Sequential model, Tensor x, Tensor y, CompileOptions.Builder options,
      String metric) {}

  static final String NAMES = "reference, separable, residual, custom, convnet";

  static Job create(String name, long seed) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "reference":
        return reference(ReferenceData.Task.RANDOM, seed);
      case "separable":
        return reference(ReferenceData.Task.SEPARABLE, seed);
      case "residual":
        return residual(seed);
      case "custom":
        return custom(seed);
      case "convnet":
        return convnet(seed);
      default:
        throw new IllegalArgumentException("Invalid --model '" + name + "'. Expected one of "
            + NAMES);
    }
  }

  /**
   * The model {@code --model NAME} trains on a user's data with samples of
   * {@code featureShape}: for reference and separable, the reference architecture sized to the
   * data (Dense(128, relu) → Dense(1, sigmoid), after a Flatten for samples of several
   * dimensions), binary labels; any other model as built in, which the data must fit. The job
   * has no data of its own ({@code x} and {@code y} are {@code null}).
   */
  static Job forData(String name, long seed, int[] featureShape) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    if (key.equals("reference") || key.equals("separable")) {
      Sequential model = featureShape.length == 1
          ? new Sequential(new int[] {featureShape[0]}, new Dense(128, "relu"),
              new Dense(1, "sigmoid"))
          : new Sequential(featureShape, new dev.backplane.model.Flatten(),
              new Dense(128, "relu"), new Dense(1, "sigmoid"));
      return new Job(model, null, null, CompileOptions.builder().optimizer("adam")
          .loss("binary_crossentropy").metrics("accuracy"), "accuracy");
    }
    Job builtIn = create(name, seed);
    return new Job(builtIn.model(), null, null, builtIn.options(), builtIn.metric());
  }

  private static Job reference(ReferenceData.Task task, long seed) {
    ReferenceData data = ReferenceData.generate(task, seed);
    return new Job(ReferenceData.model(), data.x, data.y, CompileOptions.builder()
        .optimizer("adam").loss("binary_crossentropy").metrics("accuracy"), "accuracy");
  }

  /**
   * Input(20) → Dense(64, relu) → Dense(64, relu) → Add with the first Dense → Dense(3,
   * softmax): 3 classes, each sample labelled by the largest of three fixed random projections.
   */
  private static Job residual(long seed) {
    KerasTensor in = Input.of(20);
    KerasTensor first = new Dense(64, "relu").apply(in);
    KerasTensor second = new Dense(64, "relu").apply(first);
    KerasTensor sum = Merge.add().apply(second, first);
    Model model = new Model(in, new Dense(3, "softmax").apply(sum));
    SplittableRandom random = new SplittableRandom(seed);
    int n = 1000;
    float[] x = new float[n * 20];
    float[] y = new float[n];
    double[][] w = new double[3][20];
    for (double[] row : w) {
      for (int j = 0; j < 20; j++) {
        row[j] = random.nextDouble(-1, 1);
      }
    }
    for (int i = 0; i < n; i++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < 20; j++) {
        x[i * 20 + j] = (float) random.nextDouble(-1, 1);
      }
      for (int c = 0; c < 3; c++) {
        double s = 0;
        for (int j = 0; j < 20; j++) {
          s += w[c][j] * x[i * 20 + j];
        }
        if (s > best) {
          best = s;
          y[i] = c;
        }
      }
    }
    return new Job(model.engine(), Tensor.wrap(x, n, 20), Tensor.wrap(y, n, 1),
        CompileOptions.builder().optimizer("adam").loss("sparse_categorical_crossentropy")
            .metrics("accuracy"), "accuracy");
  }

  /**
   * Dense(32, relu) → RmsNorm → Dense(1) on 8 features, regressing a smooth function with the
   * Huber loss; both the layer and the loss are defined only in the examples package.
   */
  private static Job custom(long seed) {
    Sequential model = new Sequential("custom", new int[] {8}, new Dense(32, "relu"),
        new RmsNorm(), new Dense(1));
    SplittableRandom random = new SplittableRandom(seed);
    int n = 1000;
    float[] x = new float[n * 8];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < 8; j++) {
        float v = (float) random.nextDouble(-1, 1);
        x[i * 8 + j] = v;
        s += (j % 2 == 0 ? 1 : -1) * v;
      }
      y[i] = (float) (2 * Math.sin(s));
    }
    Loss huber = Huber.loss(1.0);
    return new Job(model, Tensor.wrap(x, n, 8), Tensor.wrap(y, n, 1), CompileOptions.builder()
        .optimizer("adam").loss(huber).metrics("mae"), "mae");
  }

  /**
   * The Keras MNIST convnet example (Input(28, 28, 1) → Conv2D(32, 3, relu) → MaxPooling2D(2) →
   * Conv2D(64, 3, relu) → MaxPooling2D(2) → Flatten → Dropout(0.5) → Dense(10, softmax)) on
   * synthetic images with a learnable rule: each 28×28 image is noise plus a bright 5×5 square in
   * one of 10 places, and the label is the place.
   */
  private static Job convnet(long seed) {
    Sequential model = new Sequential("convnet", new int[] {28, 28, 1},
        new dev.backplane.model.Conv2D(32, 3, "relu"), new dev.backplane.model.MaxPooling2D(2),
        new dev.backplane.model.Conv2D(64, 3, "relu"), new dev.backplane.model.MaxPooling2D(2),
        new dev.backplane.model.Flatten(), new dev.backplane.model.Dropout(0.5),
        new Dense(10, "softmax"));
    SplittableRandom random = new SplittableRandom(seed);
    int n = 2048;
    int pixels = 28 * 28;
    float[] x = new float[n * pixels];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int label = random.nextInt(10);
      y[i] = label;
      int top = 3 + (label / 5) * 12 + random.nextInt(3);
      int left = 1 + (label % 5) * 5 + random.nextInt(2);
      for (int p = 0; p < pixels; p++) {
        x[i * pixels + p] = (float) (0.3 * random.nextDouble());
      }
      for (int r = top; r < top + 5; r++) {
        for (int c = left; c < Math.min(left + 5, 28); c++) {
          x[i * pixels + r * 28 + c] = (float) (0.7 + 0.3 * random.nextDouble());
        }
      }
    }
    return new Job(model, Tensor.wrap(x, n, 28, 28, 1), Tensor.wrap(y, n, 1),
        CompileOptions.builder().optimizer("adam").loss("sparse_categorical_crossentropy")
            .metrics("accuracy"), "accuracy");
  }
}
