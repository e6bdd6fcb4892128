package dev.backplane.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The measurement plumbing, without timing anything real. */
class BenchKitTest {
  @Test
  void statsTakeTheMiddleAndTheRange() {
    assertThat(Stats.of(new double[] {5, 1, 3})).isEqualTo(new Stats(3, 1, 5, 3));
    assertThat(Stats.of(new double[] {4, 1, 2, 3})).isEqualTo(new Stats(2.5, 1, 4, 4));
    assertThatThrownBy(() -> Stats.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void repetitionsRunEveryVariantOncePerRoundAndDropTheWarmup() {
    List<String> calls = new ArrayList<>();
    List<DoubleSupplier> variants = List.of(() -> {
      calls.add("a");
      return calls.size();
    }, () -> {
      calls.add("b");
      return calls.size();
    });
    double[][] r = new Repetitions(1, 20).run(variants);
    assertThat(calls).hasSize(42);
    for (int round = 0; round < 21; round++) {
      assertThat(calls.subList(2 * round, 2 * round + 2)).containsExactlyInAnyOrder("a", "b");
    }
    assertThat(calls.stream().filter("a"::equals).count()).isEqualTo(21);
    assertThat(java.util.Arrays.stream(r[0]).boxed().toList()).hasSize(20)
        .allMatch(v -> calls.get(v.intValue() - 1).equals("a"));
    assertThat(java.util.Arrays.stream(r[1]).boxed().toList()).hasSize(20)
        .allMatch(v -> calls.get(v.intValue() - 1).equals("b"));
    assertThat(calls.subList(2, 42)).as("the order changes between rounds")
        .isNotEqualTo(java.util.Collections.nCopies(20, List.of("a", "b")).stream()
            .flatMap(List::stream).toList());
    assertThatThrownBy(() -> new Repetitions(0, 1, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void speedupCountsInTheUnitsDirection() {
    assertThat(Unit.MS.speedup(10, 100)).isEqualTo(10);
    assertThat(Unit.SAMPLES_PER_S.speedup(300, 100)).isEqualTo(3);
  }

  @Test
  void tasksHaveTheIssuesShapes() {
    MlpTask seed = MlpTask.seedMlp(42, false);
    assertThat(seed.sizes()).containsExactly(10, 128, 1);
    assertThat(seed.samples()).isEqualTo(1000);
    assertThat(seed.batchSize()).isEqualTo(32);
    assertThat(seed.loss()).isEqualTo("binary_crossentropy");
    MlpTask mnist = MlpTask.mnistMlp(42, 256);
    assertThat(mnist.sizes()).containsExactly(784, 512, 512, 10);
    assertThat(mnist.batchSize()).isEqualTo(128);
    assertThat(mnist.loss()).isEqualTo("sparse_categorical_crossentropy");
    assertThat(mnist.initialWeights()).hasSize(6);
    assertThat(mnist.initialWeights().get(0)).hasSize(784 * 512);
  }

  @Test
  void theSameSeedGivesTheSameData() {
    assertThat(MlpTask.mnistMlp(7, 128).x().toArray())
        .containsExactly(MlpTask.mnistMlp(7, 128).x().toArray());
    assertThat(MlpTask.seedMlp(7, true).y().toArray())
        .isNotEqualTo(MlpTask.seedMlp(7, false).y().toArray());
  }

  @Test
  void workloadNamesParse() {
    assertThat(Workload.of("gemm")).isEqualTo(Workload.GEMM);
    assertThatThrownBy(() -> Workload.of("x")).hasMessageContaining("seed-mlp | mnist-mlp");
  }

  @Test
  void machinePeakFollowsTheFormula() {
    Machine m = new Machine(2, "cpu", 2300, "jvm", "0.1 0.2 0.3", false);
    assertThat(m.peakGflops(2)).isEqualTo(147.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(m.peakFormula(2)).isEqualTo(
        "2 cores x 2.300 GHz (/proc/cpuinfo cpu MHz) x 32 FLOP/cycle = 147.2 GFLOP/s");
    assertThat(m.peakNote()).isEmpty();
  }

  @Test
  void eachTimedGemmRunIsBracketedByItsRunnersSettings() {
    List<String> calls = new ArrayList<>();
    GemmRunner runner = new GemmRunner() {
      @Override
      public String name() {
        return "fake";
      }

      @Override
      public int threads() {
        return 1;
      }

      @Override
      public String describe() {
        return "records calls";
      }

      @Override
      public void prepare(int n) {
        calls.add("prepare " + n);
      }

      @Override
      public void multiply() {
        if (!calls.get(calls.size() - 1).equals("multiply")) {
          calls.add("multiply");
        }
      }

      @Override
      public void beforeRun() {
        calls.add("before");
      }

      @Override
      public void afterRun() {
        calls.add("after");
      }

      @Override
      public void close() {}
    };
    List<BenchRow> rows = GemmBench.run(List.of(runner), new int[] {8}, new Repetitions(1, 2, 0),
        1);
    assertThat(rows).hasSize(1);
    assertThat(calls).containsExactly("prepare 8", "before", "multiply", "after", "before",
        "multiply", "after", "before", "multiply", "after");
  }
}
