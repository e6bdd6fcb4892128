package dev.backplane.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.cli.bench.BenchRow;
import dev.backplane.cli.bench.Stats;
import dev.backplane.cli.bench.Unit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ratios to the best peer of the same case and thread count, and the targets built on them. */
class RatiosTest {
  private static BenchRow row(String workload, String runner, int threads, Unit unit,
      double median) {
    return new BenchRow(workload, runner, threads, unit, new Stats(median, median, median, 1));
  }

  @Test
  void timesCompareWithTheFastestPeer() {
    List<Row> rows = Ratios.of(List.of(
        row("seed-mlp", "accelerate", 2, Unit.MS, 10),
        row("seed-mlp", "tf-graph", 2, Unit.MS, 100),
        row("seed-mlp", "djl-pytorch", 2, Unit.MS, 200),
        row("seed-mlp", "accelerate", 1, Unit.MS, 20)));
    assertThat(rows.get(0).ratioToBestPeer()).isEqualTo(10);
    assertThat(rows.get(1).ratioToBestPeer()).isEqualTo(1);
    assertThat(rows.get(1).peer()).isTrue();
    assertThat(rows.get(2).ratioToBestPeer()).isEqualTo(0.5);
    assertThat(rows.get(3).ratioToBestPeer()).isNaN();
    assertThat(rows.get(3).toJson()).containsEntry("ratioToBestPeer", null);
  }

  @Test
  void ratesCompareWithTheFastestPeer() {
    List<Row> rows = Ratios.of(List.of(
        row("gemm/512", "accelerate", 2, Unit.GFLOPS, 90),
        row("gemm/512", "openblas", 2, Unit.GFLOPS, 100)));
    assertThat(rows.get(0).ratioToBestPeer()).isEqualTo(0.9);
    assertThat(rows.get(0).toJson()).containsOnlyKeys("workload", "runner", "threads", "unit",
        "median", "min", "max", "repetitions", "ratioToBestPeer");
  }

  @Test
  void targetsStateTheRatioAndTheVerdict() {
    List<Row> rows = Ratios.of(List.of(
        row("seed-mlp", "accelerate", 2, Unit.MS, 12),
        row("seed-mlp", "tf-graph", 2, Unit.MS, 100),
        row("seed-mlp", "tf-java", 2, Unit.MS, 105)));
    List<String> lines = Targets.lines(rows, List.of(2),
        List.of(new Allocation.StepAllocation("accelerate", 40, 0.02)));
    assertThat(lines).containsExactly(
        "seed-mlp, 2 threads: accelerate at 8.33x the speed of tf-graph (target >= 30x): missed",
        "seed-mlp, 2 threads: tf-java at 0.95x the speed of tf-graph (target >= 0.91x, i.e. at"
            + " most 10% slower): met",
        "accelerate seed-mlp train step allocates 0.020 B/op (target: 0, i.e. below 1 B/op after"
            + " JMH's rounding): met");
  }

  @Test
  void jsonRowsAreFlatObjects() {
    List<Row> rows = Ratios.of(List.of(row("gemm/512", "openblas", 1, Unit.GFLOPS, 150)));
    assertThat(JsonRows.write(rows.stream().map(Row::toJson).toList())).isEqualTo(
        "[\n  {\"workload\":\"gemm/512\",\"runner\":\"openblas\",\"threads\":1,"
            + "\"unit\":\"GFLOP/s\",\"median\":150.000,\"min\":150.000,\"max\":150.000,"
            + "\"repetitions\":1,\"ratioToBestPeer\":1.00000}\n]");
  }
}
