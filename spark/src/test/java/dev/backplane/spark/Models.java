package dev.backplane.spark;

import dev.backplane.model.BatchNormalization;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.FitOptions;
import dev.backplane.model.Loss;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.optimizer.Adam;
import dev.backplane.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/** The models and data of the Spark tests, and the one-machine runs they are held to. */
final class Models {
  static final long SEED = 42;

  private Models() {}

  /** The reference model: Dense(128, relu) → Dense(1, sigmoid), Adam, binary cross-entropy. */
  static ModelFactory reference(int features) {
    return () -> compile(new Sequential("reference", new int[] {features},
        new Dense(128, "relu"), new Dense(1, "sigmoid")), Loss.BINARY_CROSSENTROPY);
  }

  /** The mnist-mlp shape: 784 → Dense(512, relu) → Dense(512, relu) → Dense(10, softmax). */
  static ModelFactory mnistMlp() {
    return () -> compile(new Sequential("mnist-mlp", new int[] {784}, new Dense(512, "relu"),
        new Dense(512, "relu"), new Dense(10, "softmax")), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
  }

  static ModelFactory withDropout() {
    return () -> compile(new Sequential("dropout", new int[] {4}, new Dense(8, "relu"),
        new Dropout(0.5), new Dense(1, "sigmoid")), Loss.BINARY_CROSSENTROPY);
  }

  static ModelFactory withBatchNormalization() {
    return () -> compile(new Sequential("bn", new int[] {4}, new Dense(8),
        new BatchNormalization(), new Dense(1, "sigmoid")), Loss.BINARY_CROSSENTROPY);
  }

  private static Sequential compile(Sequential model, Loss loss) {
    model.compile(CompileOptions.builder().optimizer(new Adam(1e-3)).loss(loss).seed(SEED)
        .metrics(dev.backplane.model.Metric.ACCURACY).build());
    return model;
  }

  /** Uniform features in [0, 1) and labels: binary ({@code classes == 2}) or class indices. */
  static Tensor[] data(int samples, int features, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[samples * features];
    float[] y = new float[samples];
    for (int i = 0; i < samples; i++) {
      int c = r.nextInt(classes);
      y[i] = c;
      for (int j = 0; j < features; j++) {
        // a little signal per class, so the loss moves
        x[i * features + j] = (float) (r.nextDouble() * 0.9 + (j % classes == c ? 0.1 : 0));
      }
    }
    return new Tensor[] {Tensor.wrap(x, samples, features), Tensor.wrap(y, samples, 1)};
  }

  /** One-machine fit's per-epoch losses. */
  static List<Double> oneMachine(ModelFactory factory, Tensor[] data, int epochs, int batch) {
    return oneMachineLogs(factory, data, epochs, batch).get("loss");
  }

  /** One-machine fit's per-epoch logs (loss and metrics). */
  static java.util.Map<String, List<Double>> oneMachineLogs(ModelFactory factory, Tensor[] data,
      int epochs, int batch) {
    try (Sequential model = factory.create()) {
      return model.fit(data[0], data[1], FitOptions.builder().epochs(epochs).batchSize(batch)
          .verbose(Verbosity.SILENT).build()).history();
    }
  }
}
