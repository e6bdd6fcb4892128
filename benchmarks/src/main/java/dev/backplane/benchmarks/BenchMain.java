package dev.backplane.benchmarks;

import dev.backplane.cli.bench.BenchRow;
import dev.backplane.cli.bench.GemmBench;
import dev.backplane.cli.bench.GemmRunner;
import dev.backplane.cli.bench.Machine;
import dev.backplane.cli.bench.MlpRunner;
import dev.backplane.cli.bench.MlpTask;
import dev.backplane.cli.bench.PredictBench;
import dev.backplane.cli.bench.Repetitions;
import dev.backplane.cli.bench.TrainingBench;
import dev.backplane.cli.bench.Workload;
import dev.backplane.config.BackplaneConfig;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar}: every workload on every runner, Backplane's
 * backends and the peers, at each thread count, in one JVM and one run; prints a markdown report
 * (or {@code --json} rows) with each row's ratio to the best peer of the same run, the peers'
 * loss check, JMH's allocation per training step and the targets.
 *
 * <p>{@code java -jar benchmarks.jar jmh [JMH options]} runs the JMH benchmarks instead
 * ({@link SeedMlpStepBenchmark}, {@link SeedMlpFitBenchmark}, {@link GemmBenchmark}).
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true,
    description = "Backplane's backends against DJL/PyTorch, a hand-built TF Java graph and"
        + " OpenBLAS, in one run.")
public final class BenchMain implements Callable<Integer> {
  @Option(names = "--threads", split = ",", paramLabel = "N,...",
      description = "Thread counts to run, in order (default: 2,1)")
  List<Integer> threads = new ArrayList<>(List.of(2, 1));

  @Option(names = "--workload", split = ",", paramLabel = "NAME,...",
      description = "seed-mlp, mnist-mlp, mnist-cnn, predict-latency, gemm (default: all)")
  List<String> workloads = new ArrayList<>(Arrays.stream(Workload.values()).map(Workload::id)
      .toList());

  @Option(names = "--runner", split = ",", paramLabel = "NAME,...",
      description = "Only these runners (default: all): accelerate, accelerate-java,"
          + " accelerate-auto, tf-java,"
          + " tf-java-spi, tf-graph, djl-pytorch, accelerate-buffers, openblas")
  List<String> runners;

  @Option(names = "--warmup", paramLabel = "N", description = "Warm-up rounds for every workload")
  Integer warmup;

  @Option(names = "--repetitions", paramLabel = "N",
      description = "Measured rounds for every workload")
  Integer repetitions;

  @Option(names = "--quick", description = "Smoke test: small data, few rounds, short budgets")
  boolean quick;

  @Option(names = "--json", description = "Print the rows as JSON (notes go to standard error)")
  boolean json;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of data and weights")
  long seed;

  @Option(names = "--skip-loss-check", description = "Do not run the loss check")
  boolean skipLossCheck;

  @Option(names = "--skip-alloc", description = "Do not run JMH's allocation measurement")
  boolean skipAlloc;

  /**
   * Idle time before each timed run: longer than OpenBLAS's worker spin (2^28 cycles, about
   * 0.12 s at 2.3 GHz) so one runner's spinning threads do not eat the next one's cores.
   */
  static final long SETTLE_MILLIS = 150;

  private final String[] args;

  BenchMain(String[] args) {
    this.args = args.clone();
  }

  /** Entry point; {@code jmh ...} hands the rest to JMH's own main. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    System.exit(new CommandLine(new BenchMain(args)).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Workload> chosen = workloads.stream().map(Workload::of).distinct().toList();
    for (int t : threads) {
      if (t < 1) {
        throw new IllegalArgumentException("--threads must be >= 1, got " + t);
      }
    }
    PrintStream log = System.err;
    Machine machine = Machine.current();
    BackplaneConfig base = BackplaneConfig.load();
    Runners factory = new Runners(base, n -> runners == null || runners.contains(n), log);
    List<BenchRow> rows = new ArrayList<>();
    for (int t : threads) {
      for (Workload w : chosen) {
        log.printf(Locale.ROOT, "benchmarks: %s, threads=%d%n", w.id(), t);
        rows.addAll(run(w, t, factory));
      }
    }
    List<Row> withRatios = Ratios.of(rows);
    if (json) {
      System.out.println(JsonRows.write(withRatios.stream().map(Row::toJson).toList()));
      return 0;
    }
    List<String> losses = skipLossCheck ? List.of("skipped (--skip-loss-check)")
        : lossCheck(factory);
    List<Allocation.StepAllocation> alloc = List.of();
    List<String> allocLines = new ArrayList<>();
    if (skipAlloc) {
      allocLines.add("skipped (--skip-alloc)");
    } else {
      File jmhLog = File.createTempFile("backplane-jmh-", ".log");
      List<String> which = List.of("accelerate", "accelerate-java").stream()
          .filter(n -> runners == null || runners.contains(n)).toList();
      if (!which.isEmpty()) {
        log.println("benchmarks: JMH -prof gc on SeedMlpStepBenchmark (log: " + jmhLog + ")");
        alloc = Allocation.measure(which, threads.get(0), jmhLog, quick);
        alloc.forEach(a -> allocLines.add(a.describe() + " at threads=" + threads.get(0)));
        allocLines.add("JMH output: " + jmhLog);
      }
    }
    MarkdownReport.print(System.out, new MarkdownReport.Content(command(), machine,
        Machine.current().loadAverage(), repetitionText(chosen), threads, withRatios,
        factory.legend(), losses, allocLines, Targets.lines(withRatios, threads, alloc)));
    return 0;
  }

  private List<BenchRow> run(Workload w, int t, Runners factory) {
    Repetitions reps = repetitions(w);
    switch (w) {
      case GEMM -> {
        List<GemmRunner> list = factory.gemm(t);
        try {
          int[] sizes = quick ? new int[] {128, 512} : GemmBench.SIZES;
          return GemmBench.run(list, sizes, reps, budget());
        } finally {
          list.forEach(GemmRunner::close);
        }
      }
      default -> {
        MlpTask task = switch (w) {
          case SEED_MLP -> MlpTask.seedMlp(seed, false);
          case MNIST_MLP -> MlpTask.mnistMlp(seed, mnistSamples());
          case MNIST_CNN -> MlpTask.mnistCnn(seed, cnnSamples(), false);
          default -> MlpTask.mnistMlp(seed, PredictBench.BATCH);
        };
        List<MlpRunner> list = factory.mlp(task, t, w != Workload.PREDICT_LATENCY);
        try {
          return switch (w) {
            case SEED_MLP -> TrainingBench.seedMlp(list, reps);
            case MNIST_MLP -> TrainingBench.mnistMlp(list, reps, mnistSamples());
            case MNIST_CNN -> TrainingBench.mnistCnn(list, reps, cnnSamples());
            default -> PredictBench.run(list, task, reps, budget());
          };
        } finally {
          list.forEach(MlpRunner::close);
        }
      }
    }
  }

  private int mnistSamples() {
    return quick ? 128 * 20 : 60000;
  }

  private int cnnSamples() {
    return quick ? 128 * 4 : 8192;
  }

  private long budget() {
    return quick ? 50 : 300;
  }

  private Repetitions repetitions(Workload w) {
    int[] d = switch (w) {
      case SEED_MLP -> quick ? new int[] {1, 2} : new int[] {5, 15};
      case MNIST_MLP -> quick ? new int[] {1, 2} : new int[] {1, 5};
      case MNIST_CNN -> quick ? new int[] {1, 1} : new int[] {1, 3};
      case PREDICT_LATENCY -> quick ? new int[] {1, 2} : new int[] {2, 7};
      case GEMM -> quick ? new int[] {1, 2} : new int[] {2, 5};
    };
    return new Repetitions(warmup != null ? warmup : d[0],
        repetitions != null ? repetitions : d[1], quick ? 0 : SETTLE_MILLIS);
  }

  private String repetitionText(List<Workload> chosen) {
    return "median and min..max over measured rounds after warm-up rounds; in each round every"
        + " runner runs once, in a shuffled order, after " + (quick ? 0 : SETTLE_MILLIS)
        + " ms idle: " + chosen.stream().map(w -> {
          Repetitions r = repetitions(w);
          String extra = switch (w) {
            case SEED_MLP -> "10 epochs per round";
            case MNIST_MLP -> mnistSamples() + " samples, 1 epoch per round";
            case MNIST_CNN -> cnnSamples() + " samples, 1 epoch per round";
            case PREDICT_LATENCY, GEMM -> "calls back to back for " + budget() + " ms per round";
          };
          return String.format(Locale.ROOT, "%s %d after %d (%s)", w.id(), r.measured(),
              r.warmup(), extra);
        }).collect(Collectors.joining("; ")) + (quick ? "; --quick: a smoke test, not for"
            + " publishing" : "");
  }

  private List<String> lossCheck(Runners factory) {
    System.err.println("benchmarks: loss check");
    return LossCheck.run(factory, threads.get(0), seed).stream().map(LossCheck.Curve::describe)
        .toList();
  }

  private String command() {
    String modules = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
        ? " --add-modules jdk.incubator.vector" : "";
    return "java" + modules + " -jar benchmarks/target/benchmarks.jar" + (args.length == 0 ? ""
        : " " + String.join(" ", args));
  }
}
