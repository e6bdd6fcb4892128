package dev.backplane.benchmarks;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Steady-state allocation per seed-mlp training step: runs {@link SeedMlpStepBenchmark} under
 * JMH's GC profiler ({@code -prof gc}) in a forked JVM and reads {@code gc.alloc.rate.norm}.
 */
final class Allocation {
  /**
   * One JMH result.
   *
   * @param runner the benchmark's runner parameter
   * @param microsPerStep average time per training step
   * @param bytesPerStep {@code gc.alloc.rate.norm}: bytes allocated per step
   */
  record StepAllocation(String runner, double microsPerStep, double bytesPerStep) {
    String describe() {
      return String.format(Locale.ROOT, "%s: %.1f us/step, %.1f B/op (gc.alloc.rate.norm)",
          runner, microsPerStep, bytesPerStep);
    }
  }

  private Allocation() {}

  /**
   * Measures the step benchmark for each runner at {@code threads}.
   *
   * @param log JMH's own output goes to this file
   * @param quick fewer, shorter iterations
   */
  static List<StepAllocation> measure(List<String> runners, int threads, File log, boolean quick)
      throws RunnerException, IOException {
    Options options = new OptionsBuilder()
        .include(SeedMlpStepBenchmark.class.getName() + ".step")
        .param("runner", runners.toArray(String[]::new))
        .param("threads", Integer.toString(threads))
        .addProfiler(GCProfiler.class)
        .forks(1)
        .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(1))
        .shouldFailOnError(true)
        .output(log.getPath())
        .build();
    Collection<RunResult> results = new Runner(options).run();
    List<StepAllocation> list = new ArrayList<>();
    for (RunResult r : results) {
      double bytes = Double.NaN;
      for (String key : r.getSecondaryResults().keySet()) {
        if (key.endsWith("gc.alloc.rate.norm")) {
          bytes = r.getSecondaryResults().get(key).getScore();
        }
      }
      list.add(new StepAllocation(r.getParams().getParam("runner"), r.getPrimaryResult().getScore(),
          bytes));
    }
    return list;
  }
}
