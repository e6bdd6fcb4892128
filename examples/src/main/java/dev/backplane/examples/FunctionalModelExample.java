package dev.backplane.examples;

import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Input;
import dev.backplane.model.KerasTensor;
import dev.backplane.model.Merge;
import dev.backplane.model.Model;
import dev.backplane.model.Verbosity;
import dev.backplane.tensor.Tensor;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The README's functional model: two Dense layers with a skip connection around the second
 * ({@code Merge.add}), a 3-class softmax head, Adam and sparse categorical cross-entropy.
 */
public final class FunctionalModelExample {
  private FunctionalModelExample() {}

  /** Runs the example on {@code System.out}. */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Builds, summarizes, trains and evaluates the model.
   *
   * @return the evaluation's logs ({@code loss}, {@code accuracy})
   */
  public static Map<String, Double> run(PrintStream out) {
    float[][] features = SyntheticData.features(600, 20, 11);
    Tensor x = Tensor.of(features);
    Tensor y = SyntheticData.classLabels(features);
    KerasTensor in = Input.of(20);
    KerasTensor first = new Dense(64, "relu").apply(in);
    KerasTensor second = new Dense(64, "relu").apply(first);
    KerasTensor sum = Merge.add().apply(second, first); // the skip connection
    try (Model model = new Model(in, new Dense(3, "softmax").apply(sum))) {
      model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      out.println(model.summary());
      History history = model.fit(List.of(x), y, FitOptions.builder().epochs(10).batchSize(32)
          .verbose(Verbosity.ONE_LINE_PER_EPOCH).output(out).build());
      Map<String, Double> result = model.evaluate(List.of(x), y);
      out.printf("trained %d epochs; evaluate: %s%n", history.epochs(), result);
      return result;
    }
  }
}
