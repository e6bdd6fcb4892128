package dev.backplane.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Times {@code predict} on the mnist-mlp model: one repetition calls it back to back for a time
 * budget and reports the mean; {@code predict-latency/1} and {@code /64} in microseconds per call
 * from one thread, {@code /64x2} in samples per second with 2 threads calling at once.
 */
public final class PredictBench {
  /** Rows per call of the batched cases. */
  public static final int BATCH = 64;
  /** Threads calling at once in the throughput case. */
  public static final int CALLERS = 2;

  private PredictBench() {}

  /**
   * Measures all three cases for every runner, interleaved.
   *
   * @param task supplies the input rows (its first 64 samples)
   * @param budgetMillis how long one repetition keeps calling
   */
  public static List<BenchRow> run(List<? extends MlpRunner> runners, MlpTask task,
      Repetitions reps, long budgetMillis) {
    float[] one = rows(task, 1);
    float[] batch = rows(task, BATCH);
    List<BenchRow> rows = new ArrayList<>();
    rows.addAll(latency(Workload.PREDICT_LATENCY.id() + "/1", runners, task, one, 1, reps,
        budgetMillis));
    rows.addAll(latency(Workload.PREDICT_LATENCY.id() + "/" + BATCH, runners, task, batch, BATCH,
        reps, budgetMillis));
    List<DoubleSupplier> variants = new ArrayList<>();
    for (MlpRunner r : runners) {
      variants.add(() -> throughput(r, task, batch, budgetMillis));
    }
    double[][] values = reps.run(variants);
    for (int i = 0; i < runners.size(); i++) {
      rows.add(new BenchRow(Workload.PREDICT_LATENCY.id() + "/" + BATCH + "x" + CALLERS,
          runners.get(i).name(), runners.get(i).threads(), Unit.SAMPLES_PER_S,
          Stats.of(values[i])));
    }
    return rows;
  }

  private static float[] rows(MlpTask task, int n) {
    float[] x = new float[n * task.inputs()];
    System.arraycopy(task.x().data(), task.x().offset(), x, 0, x.length);
    return x;
  }

  private static List<BenchRow> latency(String workload, List<? extends MlpRunner> runners,
      MlpTask task, float[] x, int n, Repetitions reps, long budgetMillis) {
    List<DoubleSupplier> variants = new ArrayList<>();
    for (MlpRunner r : runners) {
      float[] out = new float[n * task.outputs()];
      variants.add(() -> {
        long deadline = System.nanoTime() + budgetMillis * 1_000_000;
        long calls = 0;
        long t0 = System.nanoTime();
        long now;
        do {
          r.predict(x, n, out);
          calls++;
          now = System.nanoTime();
        } while (now < deadline);
        return (now - t0) / 1e3 / calls;
      });
    }
    double[][] values = reps.run(variants);
    List<BenchRow> rows = new ArrayList<>();
    for (int i = 0; i < runners.size(); i++) {
      rows.add(new BenchRow(workload, runners.get(i).name(), runners.get(i).threads(), Unit.US,
          Stats.of(values[i])));
    }
    return rows;
  }

  /** Samples per second with {@link #CALLERS} threads calling {@code predict} at once. */
  static double throughput(MlpRunner r, MlpTask task, float[] x, long budgetMillis) {
    AtomicLong calls = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    RuntimeException[] failure = new RuntimeException[1];
    long[] window = new long[2];
    for (int t = 0; t < CALLERS; t++) {
      Thread thread = new Thread(() -> {
        float[] out = new float[BATCH * task.outputs()];
        try {
          start.await();
          long deadline = window[0] + budgetMillis * 1_000_000;
          long mine = 0;
          do {
            r.predict(x, BATCH, out);
            mine++;
          } while (System.nanoTime() < deadline);
          calls.addAndGet(mine);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          synchronized (failure) {
            failure[0] = e;
          }
        }
      }, "bench-predict-" + t);
      threads.add(thread);
      thread.start();
    }
    window[0] = System.nanoTime();
    start.countDown();
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while timing predict", e);
      }
    }
    window[1] = System.nanoTime();
    synchronized (failure) {
      if (failure[0] != null) {
        throw failure[0];
      }
    }
    return calls.get() * BATCH / ((window[1] - window[0]) / 1e9);
  }
}
