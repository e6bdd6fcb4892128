package dev.backplane.model;

import dev.backplane.spi.Executable;
import dev.backplane.tensor.Tensor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Runs the inference calls of a model on a guarded device ({@code predict}, {@code evaluate},
 * validation) within {@code backplane.step.timeout}, on daemon threads of its own, as {@link
 * StepGuard} runs training steps.
 *
 * <p>A call that overruns is abandoned: it computes into a buffer of its own, so a device that
 * wakes up late never writes into the caller's outputs, and the caller learns of it as a {@link
 * Fault}, which the model answers with a failover. The abandoned call is handed to the model
 * ({@code abandoned}), which closes the device's executable only once the call has ended: no
 * native memory is freed under a running kernel.
 *
 * <p>A call that throws is a fault too, except {@link IllegalArgumentException}, which is the
 * caller's input (the model checks shapes and labels before the device sees them), and {@link
 * IllegalStateException}, which says the executable was closed. Non-finite outputs are not
 * faults here: unlike a training step, nothing tells a device bug from a model whose weights are
 * non-finite without running the model twice, and inference must not double its cost.
 */
final class InferenceGuard implements AutoCloseable {
  /** What a guarded call computes, into a buffer of its own. */
  @FunctionalInterface
  interface Call {
    double run(Executable exe, float[] out);
  }

  /** The outcome: the loss (NaN for predict), or the fault. */
  record Outcome(double loss, Fault fault) {}

  private final Duration deadline;
  private final ExecutorService pool;
  private final BiConsumer<Executable, Runnable> abandoned;

  /**
   * @param deadline the most one call may take
   * @param name names the threads, e.g. after the device
   * @param abandoned told of each abandoned call: its executable and a wait that returns when
   *     the call has ended
   */
  InferenceGuard(Duration deadline, String name, BiConsumer<Executable, Runnable> abandoned) {
    this.deadline = deadline;
    this.abandoned = abandoned;
    this.pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "backplane-inference-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  Duration deadline() {
    return deadline;
  }

  /** {@code exe.predict(x, out)} within the deadline. */
  Fault predict(Executable exe, Tensor x, float[] out) {
    return run(exe, out, (e, buffer) -> {
      e.predict(x, buffer);
      return Double.NaN;
    }, "predict").fault();
  }

  /** {@code exe.evaluateStep(x, y, out)} within the deadline. */
  Outcome evaluate(Executable exe, Tensor x, Tensor y, float[] out) {
    return run(exe, out, (e, buffer) -> e.evaluateStep(x, y, buffer), "evaluate");
  }

  private Outcome run(Executable exe, float[] out, Call call, String what) {
    float[] buffer = new float[out.length];
    CountDownLatch ended = new CountDownLatch(1);
    Future<Double> f = pool.submit(() -> {
      try {
        return call.run(exe, buffer);
      } finally {
        ended.countDown();
      }
    });
    try {
      double loss = f.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
      System.arraycopy(buffer, 0, out, 0, out.length);
      return new Outcome(loss, null);
    } catch (TimeoutException e) {
      f.cancel(true);
      abandoned.accept(exe, () -> awaitUninterruptibly(ended));
      return new Outcome(Double.NaN, Fault.timedOutIn(what, StepGuard.format(deadline)));
    } catch (InterruptedException e) {
      f.cancel(true);
      abandoned.accept(exe, () -> awaitUninterruptibly(ended));
      Thread.currentThread().interrupt();
      throw new dev.backplane.BackendException(exe.device(), "Interrupted while waiting for "
          + what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof RuntimeException r) {
        return new Outcome(Double.NaN, Fault.threw(r));
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new dev.backplane.BackendException(exe.device(), what + " failed: " + cause, cause);
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (latch.getCount() > 0) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops idle threads; a call still running (abandoned) keeps its thread until it ends. */
  @Override
  public void close() {
    pool.shutdown();
  }
}
