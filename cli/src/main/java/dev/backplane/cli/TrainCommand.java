package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.data.Dataset;
import dev.backplane.io.data.Datasets;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backplane train}: trains the reference model on the best available device with
 * Keras-style output: the summary, the placement explanation, progress, the final metrics.
 * With {@code --data} it trains on a user's file instead: an NPY array of inputs with
 * {@code --labels y.npy} (memory-mapped, so it may be larger than the heap), or a CSV table
 * with a header row and {@code --label-column NAME}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model (default: the reference model Dense(128, relu) -> "
    + "Dense(1, sigmoid), Adam, binary_crossentropy) on the best available device.")
final class TrainCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Mixin
  ReportOptions report;

  @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "32",
      description = "Batch size (default ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--task", defaultValue = "random",
      description = "random (the original question: random labels) or separable (learnable)")
  String task;

  @Option(names = "--model", description = "reference (default), separable, residual (a"
      + " functional model with a skip connection), custom (a layer and a loss written with the"
      + " public op builder) or convnet (the Keras MNIST convnet on synthetic images)")
  String modelName;

  @Option(names = "--verbose", defaultValue = "auto",
      description = "0 silent, 1 progress bar, 2 one line per epoch, auto (default)")
  String verbose;

  @Option(names = "--data", description = "Train on this file instead of generated data: x.npy"
      + " (with --labels) or table.csv (with --label-column; a header row, every value a"
      + " number). reference and separable become Dense(128, relu) -> Dense(1, sigmoid) sized"
      + " to the data; other models must fit it")
  Path data;

  @Option(names = "--labels", description = "With --data x.npy: the labels, y.npy (one row per"
      + " sample; integer labels are class indices)")
  Path labels;

  @Option(names = "--label-column", description = "With --data table.csv: the label column")
  String labelColumn;

  @Option(names = "--columns", split = ",", description = "With --data table.csv: the feature"
      + " columns, comma-separated (default: every column but the label)")
  List<String> columns;

  @Option(names = "--spark", description = "Train data-parallel on this Spark master (e.g."
      + " local[2], yarn, spark://host:7077) with the same per-epoch losses; needs Spark on the"
      + " class path (spark-submit)")
  String spark;

  @Option(names = "--tasks", defaultValue = "0", description = "With --spark: barrier tasks"
      + " (default: the cluster's task slots)")
  int tasks;

  @Option(names = "--explain", description = "Also print the environment and configuration dump")
  boolean explain;

  @Override
  public Integer call() {
    if (epochs < 1) {
      throw new IllegalArgumentException("Invalid --epochs " + epochs + ". Expected a whole"
          + " number >= 1");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("Invalid --batch-size " + batchSize + ". Expected a"
          + " whole number >= 1");
    }
    ReferenceData.Task t = parseTask(task);
    Dataset userData = data == null ? null : loadData();
    Verbosity verbosity = verbose.equalsIgnoreCase("auto") ? Verbosity.AUTO
        : Verbosity.of(parseVerbose(verbose));
    PrintStream out = System.out;
    try (Backplane backplane = config.backplane()) {
      if (explain) {
        out.println(backplane.debugEnvironment());
      }
      long seed = backplane.config().get(dev.backplane.config.CoreKeys.SEED);
      String name = modelName != null ? modelName
          : t == ReferenceData.Task.SEPARABLE ? "separable" : "reference";
      TrainModels.Job job = userData == null ? TrainModels.create(name, seed)
          : TrainModels.forData(name, seed, userData.featureShape());
      try (Sequential model = job.model()) {
        out.println(model.summary());
        model.compile(job.options().backplane(backplane).build());
        out.println(model.placement().explain());
        if (userData != null) {
          out.println("Data: " + userData.size() + " samples of "
              + Arrays.toString(userData.featureShape()) + " from " + data);
        }
        long start = System.nanoTime();
        report.expectMemory(model.estimateMemory(job.options().backplane(backplane).build(),
            batchSize), batchSize);
        FitOptions fit = FitOptions.builder().epochs(epochs).batchSize(batchSize)
            .verbose(verbosity).output(out).callbacks(report.callbacks()).build();
        if (spark != null) {
          if (!SparkTrain.available()) {
            throw new IllegalArgumentException("--spark needs Apache Spark on the class path;"
                + " run the command through spark-submit (see the README, Training on Spark)");
          }
          var h = SparkTrain.train(spark, tasks, name, seed,
              userData == null ? null : userData.featureShape(), model, job.x(), job.y(),
              userData, epochs, batchSize, out);
          Map<String, Double> result = userData == null ? model.evaluate(job.x(), job.y())
              : model.evaluate(userData, 32);
          out.printf(Locale.ROOT, "Trained %d epochs on Spark (%d tasks on %s) in %.2f s;"
              + " evaluate: loss %.4f - %s %.4f%n", h.loss().size(), h.tasks(),
              String.join(", ", new java.util.LinkedHashSet<>(h.devices())), h.seconds(),
              result.get("loss"), job.metric(), result.get(job.metric()));
          return 0;
        }
        History history = userData == null ? model.fit(job.x(), job.y(), fit)
            : model.fit(userData, fit);
        double seconds = (System.nanoTime() - start) / 1e9;
        report.finish(history, out);
        Map<String, Double> result = userData == null ? model.evaluate(job.x(), job.y())
            : model.evaluate(userData, 32);
        if (history.deviceRuns().size() > 1 || history.stopReason().isPresent()) {
          printRuns(out, history);
        }
        out.printf(Locale.ROOT, "Trained %d epochs on %s in %.2f s; evaluate: loss %.4f -"
            + " %s %.4f%n", history.epochs(), model.device(), seconds, result.get("loss"),
            job.metric(), result.get(job.metric()));
      }
    }
    return 0;
  }

  /** The {@code --data} file as a dataset; the options must fit its format. */
  private Dataset loadData() {
    String file = data.getFileName() == null ? "" : data.getFileName().toString()
        .toLowerCase(Locale.ROOT);
    if (file.endsWith(".npy")) {
      if (labelColumn != null || columns != null) {
        throw new IllegalArgumentException("--label-column and --columns are for CSV data; for"
            + " --data " + data + " give the labels as --labels y.npy");
      }
      if (labels == null) {
        throw new IllegalArgumentException("--data " + data + " needs --labels y.npy with one"
            + " label row per sample");
      }
      return Datasets.npy(data, labels);
    }
    if (file.endsWith(".csv")) {
      if (labels != null) {
        throw new IllegalArgumentException("--labels is for NPY data; for --data " + data
            + " name the label column with --label-column NAME");
      }
      if (labelColumn == null) {
        throw new IllegalArgumentException("--data " + data + " needs --label-column NAME");
      }
      return Datasets.csv(data, labelColumn, columns == null ? List.of() : columns);
    }
    throw new IllegalArgumentException("Invalid --data '" + data + "'. Expected a .npy or .csv"
        + " file");
  }

  /** Which device ran which steps, after a failover; why training stopped, if it diverged. */
  private static void printRuns(PrintStream out, History history) {
    out.println("Device runs:");
    int width = history.deviceRuns().stream().mapToInt(r -> r.device().toString().length())
        .max().orElse(0);
    for (History.DeviceRun r : history.deviceRuns()) {
      String steps = r.steps() == 0 ? "no steps"
          : "steps " + r.firstStep() + "-" + (r.firstStep() + r.steps() - 1);
      out.printf(Locale.ROOT, "  %-" + width + "s  %s (from epoch %d): %s%n", r.device(), steps,
          r.firstEpoch() + 1, r.reason().startsWith("placement") ? r.reason() : "failover");
    }
    history.stopReason().ifPresent(why -> out.println("Stopped early: " + why));
  }

  private static ReferenceData.Task parseTask(String task) {
    try {
      return ReferenceData.Task.valueOf(task.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid --task '" + task
          + "'. Expected one of random, separable");
    }
  }

  private static int parseVerbose(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid --verbose '" + text
          + "'. Expected one of 0, 1, 2, auto");
    }
  }
}
