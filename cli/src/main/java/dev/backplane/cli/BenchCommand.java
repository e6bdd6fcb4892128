package dev.backplane.cli;

import dev.backplane.BackplaneException;
import dev.backplane.accelerate.BlasMode;
import dev.backplane.cli.bench.AccelerateGemmRunner;
import dev.backplane.cli.bench.BackplaneBackend;
import dev.backplane.cli.bench.BackplaneRunner;
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
import dev.backplane.config.CoreKeys;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backplane bench}: times a workload on Backplane's own backends (no peer libraries; the
 * {@code benchmarks} module compares with those) and prints, per runner, the median and
 * min..max over repetitions after warm-up. Speed is measured here, never asserted in tests.
 *
 * <p>Runners: {@code accelerate} (native BLAS), {@code accelerate-java} (pure-Java kernels),
 * {@code accelerate-auto} (the default {@code auto}: kernels chosen by measurement) and
 * {@code tf-java}, each strictly on its backend; {@code --backend} picks some, else every one that
 * runs here. {@code gemm} runs on the accelerate backend only.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark a workload on Backplane's backends.")
final class BenchCommand implements Callable<Integer> {
  /** Idle time before each timed run, so one runner's spinning BLAS workers have gone to sleep. */
  static final long SETTLE_MILLIS = 150;

  @Mixin
  ConfigOptions config;

  @Option(names = "--workload", defaultValue = "seed-mlp", paramLabel = "NAME",
      description = "seed-mlp (ms for 10 epochs) | mnist-mlp (samples/s) | mnist-cnn"
          + " (samples/s) | predict-latency"
          + " (us per call; samples/s with 2 callers) | gemm (GFLOP/s)")
  String workload;

  @Option(names = "--warmup", paramLabel = "N",
      description = "Warm-up repetitions (default depends on the workload)")
  Integer warmup;

  @Option(names = "--repetitions", paramLabel = "N",
      description = "Measured repetitions (default depends on the workload)")
  Integer repetitions;

  @Option(names = "--quick", description = "Smoke test: small data, few repetitions")
  boolean quick;

  @Option(names = "--json", description = "Print JSON for machines")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Workload w = Workload.of(workload);
    Repetitions reps = repetitions(w);
    BackplaneConfig base = config.config();
    int threads = base.get(CoreKeys.THREADS);
    long seed = base.get(CoreKeys.SEED);
    List<BackplaneBackend> chosen = chosenBackends(base, w);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> legend = new ArrayList<>();
    List<BenchRow> rows = switch (w) {
      case GEMM -> gemm(chosen, base, threads, reps, legend, err);
      case SEED_MLP, MNIST_MLP, MNIST_CNN, PREDICT_LATENCY -> mlp(w, chosen, base, threads, seed, reps,
          legend, err);
    };
    if (json) {
      out.println(Json.write(rows.stream().map(BenchRow::toJson).toList()));
    } else {
      print(out, w, rows, reps, legend, threads);
    }
    out.flush();
    return 0;
  }

  private Repetitions repetitions(Workload w) {
    int[] defaults = switch (w) {
      case SEED_MLP -> quick ? new int[] {2, 3} : new int[] {5, 15};
      case MNIST_MLP -> quick ? new int[] {1, 2} : new int[] {1, 5};
      case MNIST_CNN -> quick ? new int[] {1, 2} : new int[] {1, 3};
      case PREDICT_LATENCY -> quick ? new int[] {1, 2} : new int[] {2, 7};
      case GEMM -> quick ? new int[] {1, 2} : new int[] {2, 5};
    };
    return new Repetitions(warmup != null ? warmup : defaults[0],
        repetitions != null ? repetitions : defaults[1], quick ? 0 : SETTLE_MILLIS);
  }

  /** The runners asked for with --backend, else every runner this workload applies to. */
  private List<BackplaneBackend> chosenBackends(BackplaneConfig base, Workload w) {
    if (config.backend == null || config.backend.isBlank()) {
      return w == Workload.GEMM
          ? List.of(BackplaneBackend.ACCELERATE, BackplaneBackend.ACCELERATE_JAVA)
          : List.of(BackplaneBackend.values());
    }
    String blas = base.raw(BlasMode.KEY);
    List<BackplaneBackend> list = new ArrayList<>();
    for (String name : config.backend.split(",")) {
      BackplaneBackend b = BackplaneBackend.of(name, blas);
      if (w == Workload.GEMM && !b.backendId().equals("accelerate")) {
        throw new IllegalArgumentException("Invalid --backend '" + name + "' for --workload gemm."
            + " Expected accelerate | accelerate-java (gemm times the accelerate backend's"
            + " product)");
      }
      if (!list.contains(b)) {
        list.add(b);
      }
    }
    return list;
  }

  private boolean explicit() {
    return config.backend != null && !config.backend.isBlank();
  }

  private List<BenchRow> mlp(Workload w, List<BackplaneBackend> chosen, BackplaneConfig base,
      int threads, long seed, Repetitions reps, List<String> legend, PrintWriter err) {
    int samples = w == Workload.MNIST_CNN ? (quick ? 128 * 4 : 8192) : quick ? 128 * 50 : 60000;
    MlpTask task = switch (w) {
      case SEED_MLP -> MlpTask.seedMlp(seed, false);
      case MNIST_MLP -> MlpTask.mnistMlp(seed, samples);
      case MNIST_CNN -> MlpTask.mnistCnn(seed, samples, false);
      default -> MlpTask.mnistMlp(seed, PredictBench.BATCH);
    };
    List<MlpRunner> runners = new ArrayList<>();
    try {
      for (BackplaneBackend b : chosen) {
        try {
          MlpRunner r = BackplaneRunner.open(b, base, threads, task);
          runners.add(r);
          legend.add(r.name() + ": " + r.describe());
        } catch (BackplaneException e) {
          skip(b.runnerName(), e, err);
        }
      }
      return switch (w) {
        case SEED_MLP -> TrainingBench.seedMlp(runners, reps);
        case MNIST_MLP -> TrainingBench.mnistMlp(runners, reps, samples);
        case MNIST_CNN -> TrainingBench.mnistCnn(runners, reps, samples);
        default -> PredictBench.run(runners, task, reps, quick ? 50 : 300);
      };
    } finally {
      runners.forEach(MlpRunner::close);
    }
  }

  private List<BenchRow> gemm(List<BackplaneBackend> chosen, BackplaneConfig base, int threads,
      Repetitions reps, List<String> legend, PrintWriter err) {
    List<GemmRunner> runners = new ArrayList<>();
    try {
      for (BackplaneBackend b : chosen) {
        try {
          GemmRunner r = AccelerateGemmRunner.open(b, base, threads, false);
          runners.add(r);
          legend.add(r.name() + ": " + r.describe());
        } catch (BackplaneException e) {
          skip(b.runnerName(), e, err);
        }
      }
      int[] sizes = quick ? new int[] {128, 512} : GemmBench.SIZES;
      return GemmBench.run(runners, sizes, reps, quick ? 50 : 300);
    } finally {
      runners.forEach(GemmRunner::close);
    }
  }

  /** A runner that cannot run here: an error when asked for by name, else a note. */
  private void skip(String runner, BackplaneException e, PrintWriter err) {
    if (explicit()) {
      throw e;
    }
    err.println("bench: skipping " + runner + ": " + e.getMessage());
    err.flush();
  }

  private void print(PrintWriter out, Workload w, List<BenchRow> rows, Repetitions reps,
      List<String> legend, int threads) {
    Machine m = Machine.current();
    out.printf(Locale.ROOT, "%s: median and min..max over %d repetitions after %d warm-up, runners"
        + " in a shuffled order each round, %d ms idle before each run%s%n", w.id(),
        reps.measured(), reps.warmup(), reps.settleMillis(),
        quick ? " (--quick: smoke test, small data)" : "");
    out.println("| workload | runner | threads | unit | median | min..max |");
    out.println("|---|---|---:|---|---:|---|");
    for (BenchRow r : rows) {
      out.printf(Locale.ROOT, "| %s | %s | %d | %s | %s | %s..%s |%n", r.workload(), r.runner(),
          r.threads(), r.unit().label(), number(r.stats().median()), number(r.stats().min()),
          number(r.stats().max()));
    }
    for (String line : legend) {
      out.println("- " + line);
    }
    if (w == Workload.GEMM) {
      out.println("- fp32 peak: " + m.peakFormula(Math.min(threads, m.cores()))
          + (m.peakNote().isEmpty() ? "" : "; " + m.peakNote()));
    }
    out.println("- machine: " + m.describe());
  }

  /** Three significant digits at least, no exponent: 0.123, 12.3, 1234. */
  static String number(double v) {
    double a = Math.abs(v);
    String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, pattern, v);
  }
}
