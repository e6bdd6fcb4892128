package dev.backplane.cli;

import dev.backplane.data.Dataset;
import dev.backplane.model.Sequential;
import dev.backplane.spark.Example;
import dev.backplane.spark.ModelFactory;
import dev.backplane.spark.SparkHistory;
import dev.backplane.spark.SparkTrainer;
import dev.backplane.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code backplane train --spark MASTER}: the same model, data, seed and batches as the command
 * without {@code --spark}, trained data-parallel on Spark by {@link SparkTrainer}. Loaded only
 * when Spark is on the class path (spark-submit puts it there).
 */
final class SparkTrain {
  private SparkTrain() {}

  /** Whether Spark is on the class path. */
  static boolean available() {
    try {
      Class.forName("org.apache.spark.SparkContext", false, SparkTrain.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Trains {@code model} (compiled on the driver) on Spark and loads the result into it.
   *
   * @param tasks barrier tasks, or 0 for the cluster's task slots
   * @param featureShape the data's sample shape with {@code --data}, else {@code null}
   * @return the record, for the summary line
   */
  static SparkHistory train(String master, int tasks, String name, long seed, int[] featureShape,
      Sequential model, Tensor x, Tensor y, Dataset data, int epochs, int batchSize,
      PrintStream out) {
    String backend = model.device().backend();
    ModelFactory factory = () -> {
      TrainModels.Job job = featureShape == null ? TrainModels.create(name, seed)
          : TrainModels.forData(name, seed, featureShape);
      Sequential m = job.model();
      // the driver's backend on every executor: the same kernels as the one-machine run
      m.compile(job.options().seed(seed).device(backend).build());
      return m;
    };
    // spark-submit's settings (system properties) apply; --spark names the master
    SparkConf conf = new SparkConf().setAppName("backplane train").setMaster(master);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkContext.getOrCreate(conf));
    try {
      int n = tasks > 0 ? tasks : sc.defaultParallelism();
      out.println("Spark: " + sc.master() + ", " + n + " barrier tasks, global batch "
          + batchSize + " split across them");
      JavaRDD<Example> rdd = data == null ? SparkTrainer.parallelize(sc, x, y, n)
          : sc.parallelize(rows(data), n);
      SparkHistory h = SparkTrainer.builder(sc, factory).tasks(n).epochs(epochs)
          .batchSize(batchSize).output(out).build().fit(rdd);
      model.setState(h.finalState());
      return h;
    } finally {
      sc.stop();
    }
  }

  /** A row-addressable dataset's rows, read on the driver. */
  private static List<Example> rows(Dataset data) {
    if (!data.randomAccess()) {
      throw new IllegalArgumentException("--spark needs row-addressable --data (NPY or CSV)");
    }
    List<Example> rows = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      float[] fx = new float[data.featureSize()];
      float[] fy = new float[data.labelSize()];
      data.read(i, fx, 0, fy, 0);
      rows.add(new Example(fx, fy));
    }
    return rows;
  }
}
