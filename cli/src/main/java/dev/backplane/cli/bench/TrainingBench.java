package dev.backplane.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Times training: each repetition resets the runner to the initial weights and a fresh optimizer
 * (not timed), then trains the task for the given epochs (timed, wall clock).
 */
public final class TrainingBench {
  private TrainingBench() {}

  /**
   * {@code seed-mlp}: milliseconds for 10 epochs of the task.
   *
   * @throws IllegalStateException if a runner's loss is not finite (it did not really train)
   */
  public static List<BenchRow> seedMlp(List<? extends MlpRunner> runners, Repetitions reps) {
    return time(Workload.SEED_MLP.id(), runners, 10, Unit.MS, reps, 0);
  }

  /**
   * {@code mnist-mlp}: samples per second over one epoch of the task's samples.
   *
   * @throws IllegalStateException if a runner's loss is not finite
   */
  public static List<BenchRow> mnistMlp(List<? extends MlpRunner> runners, Repetitions reps,
      int samples) {
    return time(Workload.MNIST_MLP.id(), runners, 1, Unit.SAMPLES_PER_S, reps, samples);
  }

  /**
   * {@code mnist-cnn}: samples per second over one epoch of the task's samples.
   *
   * @throws IllegalStateException if a runner's loss is not finite
   */
  public static List<BenchRow> mnistCnn(List<? extends MlpRunner> runners, Repetitions reps,
      int samples) {
    return time(Workload.MNIST_CNN.id(), runners, 1, Unit.SAMPLES_PER_S, reps, samples);
  }

  private static List<BenchRow> time(String workload, List<? extends MlpRunner> runners,
      int epochs, Unit unit, Repetitions reps, int samples) {
    List<DoubleSupplier> variants = new ArrayList<>();
    for (MlpRunner r : runners) {
      variants.add(() -> {
        r.reset();
        long t0 = System.nanoTime();
        double[] losses = r.fit(epochs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double last = losses[losses.length - 1];
        if (!Double.isFinite(last)) {
          throw new IllegalStateException(r.name() + " gave a non-finite loss on " + workload);
        }
        return unit == Unit.MS ? seconds * 1e3 : (double) samples * epochs / seconds;
      });
    }
    double[][] values = reps.run(variants);
    List<BenchRow> rows = new ArrayList<>();
    for (int i = 0; i < runners.size(); i++) {
      MlpRunner r = runners.get(i);
      rows.add(new BenchRow(workload, r.name(), r.threads(), unit, Stats.of(values[i])));
    }
    return rows;
  }
}
