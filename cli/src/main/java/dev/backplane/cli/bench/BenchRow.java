package dev.backplane.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One measured line: a workload case on one runner at one thread count.
 *
 * @param workload the case, e.g. {@code seed-mlp} or {@code gemm/512}
 * @param runner the runner's name, e.g. {@code accelerate}
 * @param threads the thread count the runner was configured with
 * @param unit what the numbers measure
 * @param stats median and range over the repetitions
 */
public record BenchRow(String workload, String runner, int threads, Unit unit, Stats stats) {
  /** Checks the components. */
  public BenchRow {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(stats, "stats");
  }

  /**
   * The row in the JSON shape of {@code backplane bench --json}: {@code workload, runner,
   * threads, unit, median, min, max, repetitions}, in that order.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workload", workload);
    m.put("runner", runner);
    m.put("threads", threads);
    m.put("unit", unit.label());
    m.put("median", stats.median());
    m.put("min", stats.min());
    m.put("max", stats.max());
    m.put("repetitions", stats.repetitions());
    return m;
  }
}
