package dev.backplane.benchmarks;

import dev.backplane.cli.bench.BenchRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Ratios to the best peer, computed within one run. */
final class Ratios {
  /** The runners that are peer libraries rather than Backplane. */
  static final Set<String> PEERS = Set.of(TfGraphMlp.NAME, DjlMlp.NAME, OpenBlasDirect.NAME);

  private Ratios() {}

  /**
   * For each row, its speed relative to the fastest peer row (by median) with the same workload
   * case and thread count; rows keep their order.
   */
  static List<Row> of(List<BenchRow> rows) {
    List<Row> result = new ArrayList<>();
    for (BenchRow r : rows) {
      BenchRow best = null;
      for (BenchRow p : rows) {
        if (PEERS.contains(p.runner()) && p.workload().equals(r.workload())
            && p.threads() == r.threads() && (best == null
                || p.unit().speedup(p.stats().median(), best.stats().median()) > 1)) {
          best = p;
        }
      }
      double ratio = best == null ? Double.NaN
          : r.unit().speedup(r.stats().median(), best.stats().median());
      result.add(new Row(r, PEERS.contains(r.runner()), ratio));
    }
    return result;
  }

  /**
   * How many times faster {@code runner} is than {@code reference} on a workload case at a thread
   * count, by median; NaN if either is missing.
   */
  static double speedup(List<Row> rows, String workload, int threads, String runner,
      String reference) {
    BenchRow a = find(rows, workload, threads, runner);
    BenchRow b = find(rows, workload, threads, reference);
    return a == null || b == null ? Double.NaN
        : a.unit().speedup(a.stats().median(), b.stats().median());
  }

  private static BenchRow find(List<Row> rows, String workload, int threads, String runner) {
    for (Row r : rows) {
      if (r.row().workload().equals(workload) && r.row().threads() == threads
          && r.row().runner().equals(runner)) {
        return r.row();
      }
    }
    return null;
  }
}
