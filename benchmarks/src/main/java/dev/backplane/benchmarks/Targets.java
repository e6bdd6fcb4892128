package dev.backplane.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The speed targets, each with the ratio this run measured and whether it is met. Stated,
 * never asserted: a missed target is printed as missed.
 */
final class Targets {
  /** "Within 10%" of a time or rate: at least 1 / 1.1 of the reference's speed. */
  static final double WITHIN_10_PERCENT = 1 / 1.1;

  private Targets() {}

  /** One line per target and thread count, then the allocation target. */
  static List<String> lines(List<Row> rows, List<Integer> threadCounts,
      List<Allocation.StepAllocation> allocation) {
    List<String> lines = new ArrayList<>();
    for (int t : threadCounts) {
      add(lines, rows, "seed-mlp", t, "accelerate", TfGraphMlp.NAME, 30, "30x");
      add(lines, rows, "mnist-mlp", t, "accelerate", TfGraphMlp.NAME, 1.5, "1.5x");
      add(lines, rows, "mnist-cnn", t, "accelerate", TfGraphMlp.NAME, 2, "2x");
      add(lines, rows, "mnist-cnn", t, "accelerate-auto", TfGraphMlp.NAME, 2, "2x");
      add(lines, rows, "mnist-mlp", t, "accelerate-auto", TfGraphMlp.NAME, 1.5, "1.5x");
      add(lines, rows, "mnist-cnn", t, "accelerate-java", TfGraphMlp.NAME, 1, "1x");
      add(lines, rows, "mnist-mlp", t, "accelerate-java", TfGraphMlp.NAME, 1, "1x");
      for (String w : List.of("seed-mlp", "mnist-mlp", "mnist-cnn")) {
        add(lines, rows, w, t, "tf-java", TfGraphMlp.NAME, WITHIN_10_PERCENT,
            "0.91x, i.e. at most 10% slower");
        add(lines, rows, w, t, "tf-java-spi", TfGraphMlp.NAME, WITHIN_10_PERCENT,
            "0.91x, i.e. at most 10% slower");
      }
      for (int n : new int[] {512, 1024, 2048}) {
        add(lines, rows, "gemm/" + n, t, "accelerate", OpenBlasDirect.NAME, 0.9, "0.90x");
        add(lines, rows, "gemm/" + n, t, "accelerate-buffers", OpenBlasDirect.NAME, 0.9,
            "0.90x");
      }
    }
    for (Allocation.StepAllocation a : allocation) {
      lines.add(String.format(Locale.ROOT, "%s seed-mlp train step allocates %.3f B/op"
          + " (target: 0, i.e. below 1 B/op after JMH's rounding): %s", a.runner(),
          a.bytesPerStep(), a.bytesPerStep() < 1 ? "met" : "missed"));
    }
    return lines;
  }

  private static void add(List<String> lines, List<Row> rows, String workload, int threads,
      String runner, String reference, double goal, String goalText) {
    double ratio = Ratios.speedup(rows, workload, threads, runner, reference);
    if (Double.isNaN(ratio)) {
      return;
    }
    lines.add(String.format(Locale.ROOT, "%s, %d %s: %s at %.2fx the speed of %s (target >= %s):"
        + " %s", workload, threads, threads == 1 ? "thread" : "threads", runner, ratio, reference,
        goalText, ratio >= goal ? "met" : "missed"));
  }
}
