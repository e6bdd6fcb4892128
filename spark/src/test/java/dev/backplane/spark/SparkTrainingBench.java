package dev.backplane.spark;

import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.tensor.Tensor;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Steps/s, samples/s and allreduce time per step of mnist-mlp (784 → 512 → 512 → 10, batch 128)
 * trained on Spark in local mode with 1 and 2 barrier tasks, beside one-machine {@code fit}.
 * "other" is the time per epoch outside the steps: the shuffle of the epoch's samples to the
 * tasks that train them, the stage's start and the replicas' build. Not a test: run it with the
 * test class path (see the README, Training on Spark).
 *
 * <p>Arguments: samples (default 6016), epochs (default 3; the first one's time is included).
 */
public final class SparkTrainingBench {
  private SparkTrainingBench() {}

  /** Runs the benchmark and prints one row per configuration. */
  public static void main(String[] args) {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 6016;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int batch = 128;
    Tensor[] data = Models.data(samples, 784, 10, 1);
    long steps = (long) epochs * ((samples + batch - 1) / batch);
    try (Sequential model = Models.mnistMlp().create()) {
      long t0 = System.nanoTime();
      History h = model.fit(data[0], data[1], FitOptions.builder().epochs(epochs)
          .batchSize(batch).verbose(Verbosity.SILENT).build());
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "one machine (fit)   %6.2f steps/s %8.0f samples/s  "
          + "allreduce      -       last loss %.5f%n", steps / s, samples * epochs / s,
          h.last("loss"));
    }
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
        .setAppName("backplane-bench").set("spark.ui.enabled", "false"));
    sc.setLogLevel("WARN");
    try {
      JavaRDD<Example> rdd = SparkTrainer.parallelize(sc, data[0], data[1], 2).cache();
      for (int tasks : new int[] {1, 2}) {
        SparkHistory h = SparkTrainer.builder(sc, Models.mnistMlp()).tasks(tasks).epochs(epochs)
            .batchSize(batch).output(null).build().fit(rdd);
        System.out.printf(Locale.ROOT, "spark local[2], %d task%s %6.2f steps/s %8.0f samples/s"
            + "  allreduce %6.2f ms/step  compute %6.2f ms/step  other %.2f s/epoch"
            + "  last loss %.5f%n", tasks, tasks == 1 ? " " : "s", h.stepsPerSecond(),
            h.samplesPerSecond(), h.allreducePerStep() * 1e3,
            h.computeSeconds() / h.steps() * 1e3,
            (h.seconds() - h.computeSeconds() - h.allreduceSeconds()) / epochs,
            h.loss().get(h.loss().size() - 1));
      }
    } finally {
      sc.stop();
    }
  }
}
