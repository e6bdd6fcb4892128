package dev.backplane.model;

import dev.backplane.BackendException;
import dev.backplane.spi.Executable;
import dev.backplane.tensor.Tensor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
  private Worker worker;

  StepRunner(Duration deadline) {
    this.deadline = deadline;
  }

  Duration deadline() {
    return deadline;
  }

  /**
   * One train step within the deadline. The hand-off reuses the worker's task fields, so a step
   * allocates nothing.
   *
   * @throws TimedOut when the deadline passes
   */
  double trainStep(Executable exe, Tensor x, Tensor y, float[] out) {
    Worker w = worker;
    if (w == null) {
      w = new Worker("backplane-step-" + exe.device(), out.length);
      worker = w;
    }
    double loss;
    Throwable error;
    synchronized (w) {
      if (w.buffer.length < out.length) {
        w.buffer = new float[out.length];
      }
      w.exe = exe;
      w.x = x;
      w.y = y;
      w.done = false;
      w.pending = true;
      w.notifyAll();
      long end = System.nanoTime() + deadline.toNanos();
      try {
        while (!w.done) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            abandon(w);
            throw new TimedOut();
          }
          TimeUnit.NANOSECONDS.timedWait(w, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abandon(w);
        throw new BackendException(exe.device(), "Interrupted while waiting for a training step",
            e);
      }
      loss = w.loss;
      error = w.error;
      w.error = null;
      System.arraycopy(w.buffer, 0, out, 0, out.length);
    }
    if (error == null) {
      return loss;
    }
    if (error instanceof RuntimeException r) {
      throw r;
    }
    if (error instanceof Error err) {
      throw err;
    }
    throw new BackendException(exe.device(), "Training step failed: " + error, error);
  }

  /** Leaves an overrunning step to its thread; a new worker, with a new buffer, serves later. */
  private void abandon(Worker w) {
    w.stopped = true;
    w.thread.interrupt();
    worker = null;
  }

  @Override
  public void close() {
    Worker w = worker;
    if (w != null) {
      synchronized (w) {
        w.stopped = true;
        w.notifyAll();
      }
      w.thread.interrupt();
      worker = null;
    }
  }

  /** A daemon thread that runs one handed-off step at a time; its fields are guarded by itself. */
  private static final class Worker implements Runnable {
    final Thread thread;
    float[] buffer;
    Executable exe;
    Tensor x;
    Tensor y;
    boolean pending;
    boolean done;
    boolean stopped;
    double loss;
    Throwable error;

    Worker(String name, int outLength) {
      buffer = new float[outLength];
      thread = new Thread(this, name);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void run() {
      while (true) {
        Executable e;
        Tensor tx;
        Tensor ty;
        float[] buf;
        synchronized (this) {
          try {
            while (!pending && !stopped) {
              wait();
            }
          } catch (InterruptedException ie) {
            return;
          }
          if (stopped) {
            return;
          }
          pending = false;
          e = exe;
          tx = x;
          ty = y;
          buf = buffer;
        }
        double l = Double.NaN;
        Throwable err = null;
        try {
          l = e.trainStep(tx, ty, buf);
        } catch (Throwable t) {
          err = t;
        }
        synchronized (this) {
          if (stopped) {
            return;
          }
          loss = l;
          error = err;
          exe = null;
          x = null;
          y = null;
          done = true;
          notifyAll();
        }
      }
    }
  }
}
