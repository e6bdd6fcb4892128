package dev.backplane.benchmarks;

import dev.backplane.cli.bench.BenchRow;
import dev.backplane.cli.bench.Machine;
import dev.backplane.cli.bench.Unit;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a run as markdown: one table per thread count, then legend, checks and targets. */
final class MarkdownReport {
  private MarkdownReport() {}

  /**
   * Everything a report shows.
   *
   * @param command the command line that produced it
   * @param machine the machine, with the load average at the start
   * @param loadAtEnd the load average when the run finished
   * @param repetitions what was repeated how often, in words
   * @param threadCounts the thread counts run, in order
   * @param rows every measured row with its ratio
   * @param legend what each runner computes with
   * @param lossChecks one line per runner and learnable task
   * @param allocation JMH's allocation lines, or a note why there are none
   * @param targets one line per target
   */
  record Content(String command, Machine machine, String loadAtEnd, String repetitions,
      List<Integer> threadCounts, List<Row> rows, Map<String, String> legend,
      List<String> lossChecks, List<String> allocation, List<String> targets) {}

  static void print(PrintStream out, Content c) {
    out.println("# Backplane benchmarks");
    out.println();
    out.println("- command: `" + c.command() + "`");
    out.println("- machine: " + c.machine().describe().replace("; load average",
        "; load average at start") + "; at end " + c.loadAtEnd());
    out.println("- " + c.repetitions());
    out.println("- x best peer: how many times faster than the fastest peer (tf-graph,"
        + " djl-pytorch; openblas for gemm) on the same case and thread count in this run;"
        + " above 1 is faster, the best peer itself is 1.00x");
    for (int t : c.threadCounts()) {
      out.println();
      out.printf(Locale.ROOT, "## %d %s%n%n", t, t == 1 ? "thread" : "threads");
      out.println("| workload | runner | unit | median | min..max | reps | x best peer |"
          + " % fp32 peak |");
      out.println("|---|---|---|---:|---|---:|---:|---:|");
      for (Row r : c.rows()) {
        BenchRow b = r.row();
        if (b.threads() != t) {
          continue;
        }
        String peak = b.unit() == Unit.GFLOPS ? String.format(Locale.ROOT, "%.0f%%",
            100 * b.stats().median() / c.machine().peakGflops(Math.min(t, c.machine().cores())))
            : "";
        out.printf(Locale.ROOT, "| %s | %s%s | %s | %s | %s..%s | %d | %s | %s |%n",
            b.workload(), b.runner(), r.peer() ? " (peer)" : "", b.unit().label(),
            number(b.stats().median()), number(b.stats().min()), number(b.stats().max()),
            b.stats().repetitions(), Double.isNaN(r.ratioToBestPeer()) ? "" : String.format(
                Locale.ROOT, "%.2fx", r.ratioToBestPeer()), peak);
      }
      out.println();
      out.println("fp32 peak: " + c.machine().peakFormula(Math.min(t, c.machine().cores()))
          + (c.machine().peakNote().isEmpty() ? "" : "; " + c.machine().peakNote()));
    }
    section(out, "Runners", c.legend().entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue()).toList());
    section(out, "Loss check (learnable tasks, same initial weights, not timed)", c.lossChecks());
    section(out, "Allocation per training step (JMH -prof gc, SeedMlpStepBenchmark)",
        c.allocation());
    section(out, "Targets", c.targets());
  }

  private static void section(PrintStream out, String title, List<String> lines) {
    out.println();
    out.println("## " + title);
    out.println();
    for (String line : lines) {
      out.println("- " + line);
    }
  }

  /** Three significant digits at least, no exponent. */
  static String number(double v) {
    double a = Math.abs(v);
    String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, pattern, v);
  }
}
