package dev.backplane.examples;

import dev.backplane.model.Dense;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.tensor.Tensor;
import java.io.PrintStream;
import java.util.Map;

/**
 * The README's quick start: Keras's {@code Sequential([Dense(128, relu), Dense(1, sigmoid)])}
 * compiled with Adam and binary cross-entropy, trained 10 epochs at batch size 32 on 1000
 * samples, on the best device of this machine.
 */
public final class QuickStart {
  private QuickStart() {}

  /** Runs the example on {@code System.out}. */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Trains, evaluates and predicts, printing the placement, the progress and the result.
   *
   * @return the evaluation's logs ({@code loss}, {@code accuracy})
   */
  public static Map<String, Double> run(PrintStream out) {
    float[][] features = SyntheticData.features(1000, 10, 7);
    Tensor x = Tensor.of(features);
    Tensor y = Tensor.ofLabels(SyntheticData.binaryLabels(features));
    try (Sequential model = new Sequential(new int[] {10},
        new Dense(128, "relu"), new Dense(1, "sigmoid"))) {
      model.compile("adam", "binary_crossentropy", "accuracy");
      out.println(model.placement().explain());
      History history = model.fit(x, y, dev.backplane.model.FitOptions.builder().epochs(10)
          .batchSize(32).verbose(dev.backplane.model.Verbosity.ONE_LINE_PER_EPOCH).output(out)
          .build());
      Map<String, Double> result = model.evaluate(x, y);
      Tensor p = model.predict(x.rows(0, 3));
      out.printf("trained %d epochs; evaluate: %s; first predictions %.3f %.3f %.3f%n",
          history.epochs(), result, p.get(0), p.get(1), p.get(2));
      return result;
    }
  }
}
