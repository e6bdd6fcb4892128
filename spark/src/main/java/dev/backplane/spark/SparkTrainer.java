package dev.backplane.spark;

import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.ProgramBuilder;
import dev.backplane.model.Sequential;
import dev.backplane.ops.Node;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on Spark with the one-machine loss curve. Per epoch the
 * samples go, by a shuffle keyed on their position in the one-machine seeded order, to {@code
 * tasks} barrier tasks; each step every task computes the gradients of its loss sum on its
 * shard of the global batch ({@code Executable.computeGradients}), the sums are added across
 * tasks (a ring allreduce over TCP between the barrier tasks, addresses exchanged with
 * {@code BarrierTaskContext.allGather}), and every replica applies the
 * same update ({@code Executable.applyGradients}), so the replicas stay identical (checked by a
 * hash of their state after each stage).
 *
 * <p>Faults: the driver checkpoints the state after every {@link Builder#checkpointEvery}
 * steps (default: every epoch). A barrier stage that fails (a task or executor died) is run
 * again from the last checkpoint, up to {@link Builder#maxRecoveries} times; each recovery is
 * printed, logged and listed in {@link SparkHistory#recoveries()}. Bad data, an unsupported
 * model or backend are not retried.
 *
 * <p>Models whose training changes non-trainable state (BatchNormalization's moving statistics)
 * or draws random masks (Dropout) are rejected before training: their step cannot be split
 * into shards exactly.
 */
public final class SparkTrainer {
  private static final System.Logger LOG = System.getLogger(SparkTrainer.class.getName());
  private final JavaSparkContext sc;
  private final ModelFactory factory;
  private final int tasks;
  private final int epochs;
  private final int batchSize;
  private final boolean shuffle;
  private final int checkpointEvery;
  private final int maxRecoveries;
  private final PrintStream out;
  private final StepHook hook;

  private SparkTrainer(Builder b) {
    this.sc = b.sc;
    this.factory = b.factory;
    this.tasks = b.tasks;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.shuffle = b.shuffle;
    this.checkpointEvery = b.checkpointEvery;
    this.maxRecoveries = b.maxRecoveries;
    this.out = b.out;
    this.hook = b.hook;
  }

  /**
   * A builder for training the factory's model on {@code sc}.
   *
   * @param factory builds the compiled model, on the driver and in every task
   */
  public static Builder builder(JavaSparkContext sc, ModelFactory factory) {
    return new Builder(sc, factory);
  }

  /**
   * The rows of {@code x} and {@code y} as an RDD in {@code partitions} slices, in row order (the
   * order {@link #fit} numbers the samples by, as one-machine {@code fit(x, y)} does).
   */
  public static JavaRDD<Example> parallelize(JavaSparkContext sc, Tensor x, Tensor y,
      int partitions) {
    if (x.rows() != y.rows()) {
      throw new IllegalArgumentException("x has " + x.rows() + " samples but y has " + y.rows());
    }
    List<Example> rows = new ArrayList<>(x.rows());
    int xr = x.rowSize();
    int yr = y.rowSize();
    for (int i = 0; i < x.rows(); i++) {
      rows.add(new Example(Arrays.copyOfRange(x.data(), x.offset() + i * xr,
          x.offset() + (i + 1) * xr), Arrays.copyOfRange(y.data(), y.offset() + i * yr,
          y.offset() + (i + 1) * yr)));
    }
    return sc.parallelize(rows, partitions);
  }

  /**
   * Trains on {@code data} (samples numbered in RDD order: partition by partition) and returns the
   * record; the final state is in {@link SparkHistory#finalState()}.
   *
   * @throws IllegalArgumentException for bad data (naming the partition and row), too many
   *     tasks, or a model whose step cannot be split, before any step runs
   * @throws UnsupportedFeatureException if the model's backend cannot split a step
   * @throws IllegalStateException if a barrier stage still fails after the recoveries allowed
   */
  public SparkHistory fit(JavaRDD<Example> data) {
    Objects.requireNonNull(data, "data");
    try (Sequential driver = factory.create()) {
      DataCheck.Expect expect = checkModel(driver);
      long samples = checkData(data, expect);
      ModelState checkpoint = driver.getState();
      ShardPlan plan = new ShardPlan((int) samples, batchSize, tasks);
      JavaPairRDD<Long, Example> indexed = data.zipWithIndex()
          .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
          .persist(StorageLevel.MEMORY_AND_DISK());
      List<Double> losses = new ArrayList<>();
      Map<String, List<Double>> logs = new LinkedHashMap<>();
      List<String> recoveries = new ArrayList<>();
      String[] devices = new String[tasks];
      long steps = 0;
      double allreduce = 0;
      double compute = 0;
      int attempts = 0;
      long start = System.nanoTime();
      try {
        for (int epoch = 0; epoch < epochs; epoch++) {
          long epochStart = System.nanoTime();
          JavaPairRDD<Integer, Example> shards = shards(indexed, plan, driver.seed(), epoch, shuffle);
          double lossSum = 0;
          dev.backplane.model.EpochMetrics metrics = driver.epochMetrics();
          int step = 0;
          if (out != null) {
            out.println("Epoch " + (epoch + 1) + "/" + epochs);
          }
          while (step < plan.steps()) {
            int end = Math.min(plan.steps(), step + checkpointEvery);
            Broadcast<StateBlob> state = sc.broadcast(StateBlob.of(checkpoint));
            List<TaskResult> results;
            try {
              results = run(shards, new BarrierStage(factory, state, plan, epoch, step, end,
                  attempts, hook));
            } catch (Exception e) {
              rethrowIfPermanent(e);
              if (recoveries.size() >= maxRecoveries) {
                throw new IllegalStateException("Training on Spark failed in epoch " + (epoch + 1)
                    + " at steps " + (step + 1) + "-" + end + " after " + recoveries.size()
                    + " recoveries (maxRecoveries=" + maxRecoveries + "): " + e.getMessage(), e);
              }
              attempts++;
              recoveries.add(recovered(epoch, step, end, checkpoint,
                  "the barrier stage failed: " + firstLine(e)));
              continue;
            } finally {
              state.destroy();
            }
            TaskResult first = results.get(0);
            for (TaskResult r : results) {
              if (r.stateHash() != first.stateHash()) {
                throw new IllegalStateException("Replicas diverged after epoch " + (epoch + 1)
                    + " step " + end + ": task " + r.task() + " differs from task 0 (devices "
                    + r.device() + " and " + first.device() + ")");
              }
              allreduce += r.allreduceNanos() / 1e9 / tasks;
              compute += r.computeNanos() / 1e9 / tasks;
              devices[r.task()] = r.device();
            }
            if (first.attempt() > attempts) {
              // Spark retried the barrier stage by itself: every task restarted from the same
              // checkpoint, which the stage carries.
              recoveries.add(recovered(epoch, step, end, checkpoint, "Spark retried the barrier"
                  + " stage (attempt " + (first.attempt() - attempts + 1) + ")"));
              attempts = first.attempt();
            }
            for (double l : first.lossSums()) {
              lossSum += l;
            }
            addBatches(metrics, results, first.lossSums(), plan, step);
            checkpoint = first.state().toState();
            steps += end - step;
            step = end;
          }
          shards.unpersist(false);
          double loss = lossSum / samples;
          losses.add(loss);
          Map<String, Double> epochLogs = metrics.logs();
          epochLogs.put("loss", loss);
          epochLogs.forEach((k, v) -> logs.computeIfAbsent(k, key -> new ArrayList<>()).add(v));
          if (out != null) {
            out.println(epochLine(plan.steps(), (System.nanoTime() - epochStart) / 1e9,
                epochLogs));
          }
        }
      } finally {
        indexed.unpersist(false);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new SparkHistory(losses, recoveries, checkpoint, tasks, steps, samples * epochs,
          seconds, allreduce, compute, Arrays.asList(devices), logs);
    }
  }

  /** This epoch's samples, keyed by epoch position, at the task that trains them, sorted. */
  private static JavaPairRDD<Integer, Example> shards(JavaPairRDD<Long, Example> indexed,
      ShardPlan plan, long seed, int epoch, boolean shuffle) {
    // the driver's order, as positions by sample index (4 bytes a sample, broadcast once)
    Broadcast<int[]> positions = JavaSparkContext.fromSparkContext(indexed.context())
        .broadcast(ShardPlan.positions(ShardPlan.order(plan.samples, seed, epoch, shuffle)));
    return indexed.mapToPair(t -> new Tuple2<>(positions.value()[(int) (long) t._1()], t._2()))
        .repartitionAndSortWithinPartitions(new ShardPartitioner(plan))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  private static List<TaskResult> run(JavaPairRDD<Integer, Example> shards, BarrierStage stage) {
    ClassTag<TaskResult> tag = ClassTag$.MODULE$.apply(TaskResult.class);
    RDD<TaskResult> results = shards.rdd().barrier().mapPartitions(stage, false, tag);
    List<TaskResult> list = new ArrayList<>(JavaRDD.fromRDD(results, tag).collect());
    list.sort((a, b) -> Integer.compare(a.task(), b.task()));
    return list;
  }

  private String recovered(int epoch, int step, int end, ModelState checkpoint, String why) {
    String line = "Epoch " + (epoch + 1) + ", steps " + (step + 1) + "-" + end + ": " + why
        + "; resumed every task from the checkpoint after step " + step + " of the epoch"
        + " (iteration " + checkpoint.iterations() + "): no step lost or doubled";
    LOG.log(System.Logger.Level.WARNING, line);
    if (out != null) {
      out.println(line);
    }
    return line;
  }

  /** Bad input and unsupported models fail the same way on every try: no recovery. */
  private static void rethrowIfPermanent(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnsupportedFeatureException u) {
        throw u;
      }
      if (t instanceof IllegalArgumentException i) {
        throw new IllegalArgumentException(i.getMessage(), e);
      }
    }
  }

  private static String firstLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String m = String.valueOf(root);
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** The checks one-machine fit makes, and the split step's own, before anything runs. */
  private DataCheck.Expect checkModel(Sequential driver) {
    Program gradients;
    try {
      gradients = ProgramBuilder.build(driver.spec(), Program.Kind.GRADIENTS);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Model '" + driver.name() + "' cannot train"
          + " data-parallel on Spark: " + e.getMessage(), e);
    }
    if (gradients.opNames().contains("random_uniform")) {
      throw new IllegalArgumentException("Model '" + driver.name() + "' draws random masks in"
          + " training (Dropout or another random op): a shard would draw other masks than the"
          + " whole batch on one machine, so the loss curve could not match; remove the layer"
          + " for Spark training or train with fit() on one machine");
    }
    int[] outputShape = driver.outputShape();
    int outputs = outputShape[outputShape.length - 1];
    boolean sparse = driver.loss().sparseLabels();
    int features = 1;
    for (int d : driver.inputShape()) {
      features *= d;
    }
    // Fail on the driver, not in every task, when the backend cannot split a step.
    int[] xs = new int[driver.inputShape().length + 1];
    xs[0] = 1;
    System.arraycopy(driver.inputShape(), 0, xs, 1, driver.inputShape().length);
    float[][] g = new float[gradients.updates().size()][];
    int k = 0;
    for (Node n : gradients.updates().values()) {
      int size = 1;
      for (int d : n.shape()) {
        size *= d;
      }
      g[k++] = new float[size];
    }
    driver.computeGradients(Tensor.wrap(new float[features], xs),
        Tensor.wrap(new float[sparse ? 1 : outputs], 1, sparse ? 1 : outputs),
        new float[outputs], g);
    return new DataCheck.Expect(features, sparse ? 1 : outputs, sparse, outputs);
  }

  private long checkData(JavaRDD<Example> data, DataCheck.Expect expect) {
    List<DataCheck.Report> reports = DataCheck.run(data, expect);
    long samples = 0;
    List<String> problems = new ArrayList<>();
    for (DataCheck.Report r : reports) {
      samples += r.rows();
      if (r.rows() == 0) {
        problems.add("partition " + r.partition() + " is empty (repartition or coalesce the"
            + " data so that every partition holds samples)");
      } else if (r.problem() != null) {
        problems.add("partition " + r.partition() + ", row " + r.badRow() + ": " + r.problem());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Bad training data for Spark (" + reports.size()
          + " partitions): " + String.join("; ", problems));
    }
    if (tasks > samples) {
      throw new IllegalArgumentException("tasks=" + tasks + " but the data has only " + samples
          + " samples in " + reports.size() + " partitions; use at most " + samples + " tasks");
    }
    int slots = sc.defaultParallelism();
    if (tasks > slots) {
      throw new IllegalArgumentException("tasks=" + tasks + " but the cluster has " + slots
          + " task slots (spark.default.parallelism); a barrier stage needs one slot per task at"
          + " once: use at most " + slots + " tasks or add executors/cores");
    }
    return samples;
  }

  /**
   * Feeds each step's global batch to the epoch's metrics: the tasks' shards in task order are
   * the batch's rows in order (the plan splits each batch by position).
   */
  private static void addBatches(dev.backplane.model.EpochMetrics metrics,
      List<TaskResult> results, double[] lossSums, ShardPlan plan, int fromStep) {
    List<TaskResult> byTask = new ArrayList<>(results);
    byTask.sort(java.util.Comparator.comparingInt(TaskResult::task));
    for (int k = 0; k < lossSums.length; k++) {
      int outLength = 0;
      int labelLength = 0;
      for (TaskResult r : byTask) {
        outLength += r.outputs()[k].length;
        labelLength += r.labels()[k].length;
      }
      float[] out = new float[outLength];
      float[] labels = new float[labelLength];
      int o = 0;
      int l = 0;
      for (TaskResult r : byTask) {
        System.arraycopy(r.outputs()[k], 0, out, o, r.outputs()[k].length);
        o += r.outputs()[k].length;
        System.arraycopy(r.labels()[k], 0, labels, l, r.labels()[k].length);
        l += r.labels()[k].length;
      }
      metrics.add(lossSums[k], out, labels, plan.batchRows(fromStep + k));
    }
  }

  private static String epochLine(int steps, double seconds, Map<String, Double> logs) {
    String count = Integer.toString(steps);
    double perStep = seconds / Math.max(1, steps);
    String per = perStep >= 1 ? Math.round(perStep) + "s/step"
        : perStep >= 1e-3 ? Math.round(perStep * 1e3) + "ms/step"
        : Math.round(perStep * 1e6) + "us/step";
    StringBuilder b = new StringBuilder(count + "/" + count + " [" + "=".repeat(30) + "] - "
        + Math.round(Math.floor(seconds)) + "s " + per);
    logs.forEach((k, v) -> b.append(" - ").append(k).append(": ").append(v != 0
        && Math.abs(v) < 1e-3 ? String.format(Locale.ROOT, "%.4e", v)
        : String.format(Locale.ROOT, "%.4f", v)));
    return b.toString();
  }

  /** Options of a {@link SparkTrainer}; Keras's {@code fit} defaults where they apply. */
  public static final class Builder {
    private final JavaSparkContext sc;
    private final ModelFactory factory;
    private int tasks = 2;
    private int epochs = 1;
    private int batchSize = 32;
    private boolean shuffle = true;
    private int checkpointEvery = Integer.MAX_VALUE;
    private int maxRecoveries = 3;
    private PrintStream out = System.out;
    private StepHook hook = StepHook.NONE;

    private Builder(JavaSparkContext sc, ModelFactory factory) {
      this.sc = Objects.requireNonNull(sc, "sc");
      this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** Barrier tasks, one replica each (default 2); at most the cluster's task slots. */
    public Builder tasks(int tasks) {
      this.tasks = positive("tasks", tasks);
      return this;
    }

    /** Epochs (default 1). */
    public Builder epochs(int epochs) {
      this.epochs = positive("epochs", epochs);
      return this;
    }

    /** The global batch size, split across the tasks (default 32, as Keras). */
    public Builder batchSize(int batchSize) {
      this.batchSize = positive("batchSize", batchSize);
      return this;
    }

    /** Whether each epoch uses the seeded shuffle of one-machine {@code fit} (default true). */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Checkpoint on the driver every this many steps (default: once per epoch). */
    public Builder checkpointEvery(int steps) {
      this.checkpointEvery = positive("checkpointEvery", steps);
      return this;
    }

    /** Failed barrier stages to recover from before giving up (default 3). */
    public Builder maxRecoveries(int recoveries) {
      if (recoveries < 0) {
        throw new IllegalArgumentException("Invalid maxRecoveries " + recoveries
            + ". Expected a whole number >= 0");
      }
      this.maxRecoveries = recoveries;
      return this;
    }

    /** Where the per-epoch lines and recoveries are printed; {@code null} for silence. */
    public Builder output(PrintStream out) {
      this.out = out;
      return this;
    }

    /** A hook run in every task before each step (fault drills, tracing). */
    public Builder hook(StepHook hook) {
      this.hook = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** The trainer. */
    public SparkTrainer build() {
      return new SparkTrainer(this);
    }

    private static int positive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException("Invalid " + name + " " + value
            + ". Expected a whole number >= 1");
      }
      return value;
    }
  }
}
