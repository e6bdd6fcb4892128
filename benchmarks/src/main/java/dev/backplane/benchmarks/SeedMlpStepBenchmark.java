package dev.backplane.benchmarks;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.cli.bench.BackplaneBackend;
import dev.backplane.cli.bench.MlpTask;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.Fallback;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Optimizers;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.List;
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
 * One seed-mlp training step on a Backplane backend through the SPI
 * ({@link Executable#trainStep}), cycling through the epoch's 32 batches (31 of 32 rows, one of 8).
 * Run with {@code -prof gc} to see the steady-state allocation per step
 * ({@code gc.alloc.rate.norm}, bytes/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xshare:off"})
public class SeedMlpStepBenchmark {
  /** {@code accelerate}, {@code accelerate-java} or {@code tf-java}. */
  @Param({"accelerate", "accelerate-java"})
  public String runner;

  /** {@code backplane.threads}. */
  @Param("2")
  public int threads;

  private Backplane backplane;
  private Executable exe;
  private Tensor[] xs;
  private Tensor[] ys;
  private float[] out;
  private int next;

  /** Compiles the model on the runner's backend and cuts the batches. */
  @Setup(Level.Trial)
  public void setUp() {
    MlpTask task = MlpTask.seedMlp(42, false);
    BackplaneBackend backend = BackplaneBackend.of(runner, null);
    backplane = Backplane.builder().config(backend.configure(BackplaneConfig.load(), threads))
        .build();
    Device device = backplane.place(List.of(backend.backendId()), Fallback.NONE).device();
    ModelSpec spec = ModelSpec.create("seed-mlp", new int[] {task.inputs()},
        task.sequential().layers(), Loss.of(task.loss()), Optimizers.of("adam"), task.seed());
    exe = backplane.compile(spec, device);
    int n = task.samples();
    int b = task.batchSize();
    int count = (n + b - 1) / b;
    xs = new Tensor[count];
    ys = new Tensor[count];
    for (int i = 0; i < count; i++) {
      xs[i] = task.x().rows(i * b, Math.min(n, (i + 1) * b));
      ys[i] = task.y().rows(i * b, Math.min(n, (i + 1) * b));
    }
    out = new float[b];
  }

  /** One Adam step on the next batch; returns the loss sum so it is not optimized away. */
  @Benchmark
  public double step() {
    int i = next;
    next = i + 1 == xs.length ? 0 : i + 1;
    return exe.trainStep(xs[i], ys[i], out);
  }

  /** Releases the executable and the backends. */
  @TearDown(Level.Trial)
  public void tearDown() {
    exe.close();
    backplane.close();
  }
}
