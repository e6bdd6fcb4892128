package dev.backplane.examples;

import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.optimizer.Adam;
import dev.backplane.tensor.Tensor;
import java.io.PrintStream;

/**
 * The README's custom layer and loss: a regression with {@link RmsNorm} (a layer written only with
 * the op builder) between two Dense layers, trained with {@link Huber} (a loss written the same
 * way). The api derives both gradients, so this runs on every backend.
 */
public final class CustomLayerExample {
  private CustomLayerExample() {}

  /** Runs the example on {@code System.out}. */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Trains the model and prints its loss per epoch.
   *
   * @return the training history ({@code loss} per epoch)
   */
  public static History run(PrintStream out) {
    float[][] features = SyntheticData.features(512, 8, 13);
    float[] target = new float[features.length];
    for (int i = 0; i < features.length; i++) {
      target[i] = 2 * features[i][0] - features[i][1] + 0.5f * features[i][2];
    }
    Tensor x = Tensor.of(features);
    Tensor y = Tensor.of(target, target.length, 1);
    try (Sequential model = new Sequential(new int[] {8}, new Dense(32, "relu"), new RmsNorm(),
        new Dense(1))) {
      model.compile(CompileOptions.builder().optimizer(new Adam(0.01)).loss(Huber.loss(1.0))
          .build());
      History history = model.fit(x, y, FitOptions.builder().epochs(8).batchSize(32)
          .verbose(Verbosity.ONE_LINE_PER_EPOCH).output(out).build());
      out.printf("huber loss per epoch: %s%n", history.get("loss"));
      return history;
    }
  }
}
