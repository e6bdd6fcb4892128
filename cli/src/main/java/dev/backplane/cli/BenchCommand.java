package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.FitOptions;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backplane bench}: times a workload on Backplane's own backends and prints the median
 * over repetitions after warm-up. Speed is measured here, never asserted in tests.
 */
@Command(name = "bench", description = "Benchmark a workload on Backplane's backends.")
final class BenchCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--workload", defaultValue = "seed-mlp",
      description = "seed-mlp (10 epochs of the reference model; ms)")
  String workload;

  @Option(names = "--warmup", defaultValue = "5", description = "Warm-up repetitions")
  int warmup;

  @Option(names = "--repetitions", defaultValue = "15", description = "Measured repetitions")
  int repetitions;

  @Option(names = "--json", description = "Print JSON for machines")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!workload.equals("seed-mlp")) {
      throw new IllegalArgumentException("Invalid --workload '" + workload
          + "'. Expected one of seed-mlp");
    }
    if (warmup < 0 || repetitions < 1) {
      throw new IllegalArgumentException("--warmup must be >= 0 and --repetitions >= 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Backplane backplane = config.backplane()) {
      long seed = backplane.config().get(dev.backplane.config.CoreKeys.SEED);
      ReferenceData data = ReferenceData.generate(ReferenceData.Task.RANDOM, seed);
      double[] ms = new double[repetitions];
      String device;
      try (Sequential model = ReferenceData.model()) {
        model.compile(CompileOptions.builder().optimizer("adam").loss("binary_crossentropy")
            .metrics("accuracy").backplane(backplane).build());
        device = model.device().toString();
        var initial = model.getState();
        FitOptions fit = FitOptions.builder().epochs(10).batchSize(32)
            .verbose(Verbosity.SILENT).build();
        for (int i = 0; i < warmup + repetitions; i++) {
          model.setState(initial);
          long t0 = System.nanoTime();
          model.fit(data.x, data.y, fit);
          double elapsed = (System.nanoTime() - t0) / 1e6;
          if (i >= warmup) {
            ms[i - warmup] = elapsed;
          }
        }
      }
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
          : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      int threads = backplane.config().get(dev.backplane.config.CoreKeys.THREADS);
      if (json) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("workload", workload);
        row.put("runner", device);
        row.put("threads", threads);
        row.put("unit", "ms");
        row.put("median", median);
        row.put("min", sorted[0]);
        row.put("max", sorted[sorted.length - 1]);
        row.put("repetitions", repetitions);
        List<Object> rows = new ArrayList<>();
        rows.add(row);
        out.println(Json.write(rows));
      } else {
        out.printf(Locale.ROOT, "%s on %s (%d threads): median %.2f ms, min %.2f, max %.2f"
            + " over %d repetitions after %d warm-up%n", workload, device, threads, median,
            sorted[0], sorted[sorted.length - 1], repetitions, warmup);
      }
    }
    out.flush();
    return 0;
  }
}
