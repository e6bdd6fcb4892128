package dev.backplane.benchmarks;

import dev.backplane.cli.bench.BenchRow;
import java.util.Map;

/**
 * A measured row with its place among the peers of the same run.
 *
 * @param row the measurement
 * @param peer whether the runner is a peer library (not Backplane)
 * @param ratioToBestPeer how many times faster than the best peer of the same workload case and
 *     thread count (above 1: faster; the best peer itself is 1); NaN when there is no peer
 */
record Row(BenchRow row, boolean peer, double ratioToBestPeer) {
  /** The {@code backplane bench --json} object plus {@code ratioToBestPeer} (null when NaN). */
  Map<String, Object> toJson() {
    Map<String, Object> m = row.toJson();
    m.put("ratioToBestPeer", Double.isNaN(ratioToBestPeer) ? null : ratioToBestPeer);
    return m;
  }
}
