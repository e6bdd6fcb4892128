package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backplane train}: trains the reference model on the best available device with
 * Keras-style output: the summary, the placement explanation, progress, the final metrics.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model (default: the reference model Dense(128, relu) -> "
    + "Dense(1, sigmoid), Adam, binary_crossentropy) on the best available device.")
final class TrainCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

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
      TrainModels.Job job = TrainModels.create(name, seed);
      try (Sequential model = job.model()) {
        out.println(model.summary());
        model.compile(job.options().backplane(backplane).build());
        out.println(model.placement().explain());
        long start = System.nanoTime();
        History history = model.fit(job.x(), job.y(), FitOptions.builder().epochs(epochs)
            .batchSize(batchSize).verbose(verbosity).output(out).build());
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> result = model.evaluate(job.x(), job.y());
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
