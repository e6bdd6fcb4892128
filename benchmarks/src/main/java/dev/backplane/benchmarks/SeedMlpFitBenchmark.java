package dev.backplane.benchmarks;

import dev.backplane.cli.bench.MlpRunner;
import dev.backplane.cli.bench.MlpTask;
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
 * The seed-mlp workload under JMH: 10 epochs (320 steps) of the reference model on one runner,
 * from the initial weights each time (the reset is outside the timed call, in a per-invocation
 * setup). Each runner runs in its own forked JVM. With {@code -prof gc}, bytes/op divided by 320
 * is the allocation per step through the whole user API.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xshare:off", "-Dai.djl.offline=true"})
public class SeedMlpFitBenchmark {
  /** Any training runner name of the table. */
  @Param({"accelerate", "accelerate-java", "tf-java", "tf-graph", "djl-pytorch"})
  public String runner;

  /** The runner's thread count. */
  @Param("2")
  public int threads;

  private MlpRunner mlp;

  /** Opens the runner on the seed-mlp task. */
  @Setup(Level.Trial)
  public void setUp() {
    mlp = Runners.openMlp(runner, BackplaneConfig.load(), MlpTask.seedMlp(42, false), threads);
  }

  /** Back to the initial weights and a fresh optimizer, outside the timing. */
  @Setup(Level.Invocation)
  public void reset() {
    mlp.reset();
  }

  /** Ten epochs; returns the last epoch's loss. */
  @Benchmark
  public double tenEpochs() {
    double[] losses = mlp.fit(10);
    return losses[losses.length - 1];
  }

  /** Releases the runner. */
  @TearDown(Level.Trial)
  public void tearDown() {
    mlp.close();
  }
}
