package dev.backplane.model;

import dev.backplane.BackendException;
import dev.backplane.spi.Executable;
import dev.backplane.tensor.Tensor;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs training steps on a daemon worker thread and waits at most the step deadline. A step that
 * overruns is abandoned with its thread (a new worker serves later steps) and its output buffer,
 * so a device that wakes up late can never write into the loop's buffers.
 */
final class StepRunner implements AutoCloseable {
  /** The step did not finish within the deadline and was abandoned. */
  static final class TimedOut extends RuntimeException {
    TimedOut() {
      super(null, null, false, false);
    }
  }

  private final Duration deadline;
  private ExecutorService worker;
  private float[] buffer;

  StepRunner(Duration deadline) {
    this.deadline = deadline;
  }

  Duration deadline() {
    return deadline;
  }

  /**
   * One train step within the deadline.
   *
   * @throws TimedOut when the deadline passes
   */
  double trainStep(Executable exe, Tensor x, Tensor y, float[] out) {
    if (worker == null) {
      worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "backplane-step-" + exe.device());
        t.setDaemon(true);
        return t;
      });
      buffer = new float[out.length];
    }
    float[] buf = buffer;
    Future<Double> f = worker.submit(() -> exe.trainStep(x, y, buf));
    try {
      double loss = f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      System.arraycopy(buf, 0, out, 0, out.length);
      return loss;
    } catch (TimeoutException e) {
      abandon(f);
      throw new TimedOut();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new BackendException(exe.device(), "Training step failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon(f);
      throw new BackendException(exe.device(), "Interrupted while waiting for a training step",
          e);
    }
  }

  private void abandon(Future<?> f) {
    f.cancel(true);
    worker.shutdownNow();
    worker = null;
    buffer = null;
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.shutdownNow();
      worker = null;
    }
  }
}
