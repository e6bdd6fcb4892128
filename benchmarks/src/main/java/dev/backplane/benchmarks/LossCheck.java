package dev.backplane.benchmarks;

import dev.backplane.cli.bench.MlpRunner;
import dev.backplane.cli.bench.MlpTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Shows that every runner really trains (not timed): each learns two learnable tasks from the
 * same initial weights, and its mean loss per epoch must fall.
 */
final class LossCheck {
  /** Epochs on the separable seed task. */
  static final int SEED_EPOCHS = 10;
  /** Epochs on the small MNIST-like task. */
  static final int MNIST_EPOCHS = 3;
  /** Samples of the small MNIST-like task. */
  static final int MNIST_SAMPLES = 128 * 20;
  /** Samples of the learnable convnet task (its epochs: {@link #MNIST_EPOCHS}). */
  static final int CNN_SAMPLES = 128 * 24;

  /**
   * One runner's per-epoch losses on one task.
   *
   * @param task the task's name
   * @param runner the runner's name
   * @param losses mean loss per epoch
   */
  record Curve(String task, String runner, double[] losses) {
    /** Whether the last epoch's loss is below 80% of the first's. */
    boolean falls() {
      double first = losses[0];
      double last = losses[losses.length - 1];
      return Double.isFinite(last) && last < 0.8 * first;
    }

    /** E.g. {@code tf-graph on seed-mlp (separable labels): 0.6801 -> 0.2112 over 10 epochs}. */
    String describe() {
      return String.format(Locale.ROOT, "%s on %s: loss %.4f -> %.4f over %d epochs (%s)", runner,
          task, losses[0], losses[losses.length - 1], losses.length,
          falls() ? "falls" : "DOES NOT FALL");
    }
  }

  private LossCheck() {}

  /** The learnable tasks. */
  static List<MlpTask> tasks(long seed) {
    return List.of(MlpTask.seedMlp(seed, true), MlpTask.mnistMlp(seed, MNIST_SAMPLES),
        MlpTask.mnistCnn(seed, CNN_SAMPLES, true));
  }

  /** Trains each runner of {@code runners} (opened per task by the factory) and records it. */
  static List<Curve> run(Runners runners, int threads, long seed) {
    List<Curve> curves = new ArrayList<>();
    for (MlpTask task : tasks(seed)) {
      int epochs = task.sparse() ? MNIST_EPOCHS : SEED_EPOCHS;
      List<MlpRunner> list = runners.mlp(task, threads, false);
      try {
        for (MlpRunner r : list) {
          r.reset();
          curves.add(new Curve(task.name(), r.name(), r.fit(epochs)));
        }
      } finally {
        list.forEach(MlpRunner::close);
      }
    }
    return curves;
  }
}
