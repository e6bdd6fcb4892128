package dev.backplane.benchmarks;

import dev.backplane.cli.bench.GemmRunner;
import dev.backplane.config.BackplaneConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square {@code C = A · B} under JMH, per runner and size (time per product; GFLOP/s is
 * {@code 2n³ / time}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xshare:off")
public class GemmBenchmark {
  /**
   * A gemm runner: {@code accelerate}, {@code accelerate-buffers}, {@code accelerate-java},
   * {@code openblas}.
   */
  @Param({"accelerate", "accelerate-buffers", "openblas"})
  public String runner;

  /** Matrix order. */
  @Param({"128", "512", "1024", "2048"})
  public int size;

  /** Threads of the BLAS or of the pure-Java kernels. */
  @Param("2")
  public int threads;

  private GemmRunner gemm;

  /** Opens the runner and allocates the matrices. */
  @Setup(Level.Trial)
  public void setUp() {
    gemm = Runners.openGemm(runner, BackplaneConfig.load(), threads);
    gemm.prepare(size);
    gemm.beforeRun();
  }

  /** One product. */
  @Benchmark
  public void multiply() {
    gemm.multiply();
  }

  /** Releases the matrices. */
  @TearDown(Level.Trial)
  public void tearDown() {
    gemm.afterRun();
    gemm.close();
  }
}
