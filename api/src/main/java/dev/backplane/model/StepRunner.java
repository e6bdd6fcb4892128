package dev.backplane.model;

import dev.backplane.BackendException;
import dev.backplane.spi.Executable;
import dev.backplane.tensor.Tensor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs training steps on a daemon worker thread and waits at most the step deadline. A step that
 * overruns is abandoned with its thread (a new worker serves later steps) and its output buffer,
 * so a device that wakes up late can never write into the loop's buffers.
 *
 * <p>The hand-off is one volatile state word per worker rather than a monitor: both sides poll
 * for a while before parking (the worker for the next step, the caller for the result), and a
 * side that parked is unparked by the other. Steps and the loop's work between them that end
 * within the polling time thus cost no wake-up, which on a VM with few cores costs tens of
 * microseconds, and a parked caller is woken by the step's completion, not by a timed poll. The
 * polling yields rather than spins: with two cores both sides, the backend's threads and anything
 * else running share them, and a pure spin holds a core the other side needs (measured: slower
 * than parking at once).
 */
final class StepRunner implements AutoCloseable {
  /** The step did not finish within the deadline and was abandoned. */
  static final class TimedOut extends RuntimeException {
    TimedOut() {
      super(null, null, false, false);
    }
  }

  /**
   * How long the caller polls for the result before parking: longer than a small model's step
   * (tens to hundreds of microseconds), so that those cost no wake-up, whose latency on a virtual
   * machine is tens of microseconds; short against the deadline.
   */
  static final long CALLER_SPIN_NANOS = 500_000;

  /**
   * How long the worker polls for the next step before parking: longer than the loop's work
   * between two steps (gathering the batch, metrics, the guard's copy of the batch).
   */
  static final long WORKER_SPIN_NANOS = 100_000;

  private final Duration deadline;
  private final long deadlineNanos;
  private Worker worker;
  private Thread abandoned;

  StepRunner(Duration deadline) {
    this.deadline = deadline;
    this.deadlineNanos = deadline.toNanos();
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
    // The worker is idle (DONE) here: it touches the task fields only while a step is PENDING.
    if (w.buffer.length < out.length) {
      w.buffer = new float[out.length];
    }
    w.exe = exe;
    w.x = x;
    w.y = y;
    w.post();
    long end = System.nanoTime() + deadlineNanos;
    switch (w.await(end)) {
      case Worker.DONE:
        break;
      case Worker.INTERRUPTED:
        abandon(w);
        throw new BackendException(exe.device(), "Interrupted while waiting for a training step",
            new InterruptedException());
      default:
        abandon(w);
        throw new TimedOut();
    }
    double loss = w.loss;
    Throwable error = w.error;
    w.error = null;
    System.arraycopy(w.buffer, 0, out, 0, out.length);
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
    w.thread.interrupt();
    abandoned = w.thread;
    worker = null;
  }

  /**
   * Waits for the last abandoned step to end, so that the caller can restore the state from
   * before it knowing nothing will change it again. Used where there is no other device to take
   * over (the reference CPU backend).
   */
  void awaitAbandoned() {
    Thread t = abandoned;
    if (t == null) {
      return;
    }
    joinUninterruptibly(t);
    abandoned = null;
  }

  /**
   * Tells the model that the last abandoned step may still be running in {@code exe}, so that it
   * closes {@code exe} only once the step has ended.
   */
  void handAbandoned(Executable exe, Sequential model) {
    Thread t = abandoned;
    if (t != null) {
      abandoned = null;
      model.abandoned(exe, () -> joinUninterruptibly(t));
    }
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    Worker w = worker;
    if (w != null) {
      w.stop();
      w.thread.interrupt();
      worker = null;
    }
  }

  /**
   * A daemon thread that runs one handed-off step at a time. {@link #state} orders the plain
   * fields: the caller writes the task before setting {@link #PENDING}; the worker writes the
   * result before setting {@link #DONE}.
   */
  private static final class Worker implements Runnable {
    /** Idle, or the last step's result is ready; the caller may post the next step. */
    static final int DONE = 0;
    /** A step is posted or running. */
    static final int PENDING = 1;
    /** Closed or abandoned: the thread ends, and a late result is dropped. */
    static final int STOPPED = 2;
    /** Not a state: {@link #await} was interrupted. */
    static final int INTERRUPTED = 3;

    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(Worker.class, "state", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Thread thread;
    float[] buffer;
    Executable exe;
    Tensor x;
    Tensor y;
    double loss;
    Throwable error;
    private volatile int state = DONE;
    /** Set by the worker before it parks waiting for a step. */
    private volatile boolean workerParked;
    /** Set by the caller before it parks waiting for a result. */
    private volatile Thread parkedCaller;

    Worker(String name, int outLength) {
      buffer = new float[outLength];
      thread = new Thread(this, name);
      thread.setDaemon(true);
      thread.start();
    }

    /** Hands the task written into the fields to the worker. */
    void post() {
      state = PENDING;
      if (workerParked) {
        LockSupport.unpark(thread);
      }
    }

    /**
     * Waits for the posted step until {@code end} ({@link System#nanoTime()}).
     *
     * @return {@link #DONE}, {@link #STOPPED} when the deadline passed (the step is abandoned:
     *     its result can no longer be published), or {@link #INTERRUPTED}, in which case the step
     *     is abandoned too
     */
    int await(long end) {
      Thread me = Thread.currentThread();
      long spinEnd = System.nanoTime() + CALLER_SPIN_NANOS;
      while (state == PENDING) {
        if (me.isInterrupted()) {
          return giveUp(INTERRUPTED);
        }
        long now = System.nanoTime();
        if (now - end >= 0) {
          return giveUp(STOPPED);
        }
        if (now - spinEnd >= 0) {
          return park(me, end);
        }
        Thread.yield();
      }
      return DONE;
    }

    private int park(Thread me, long end) {
      parkedCaller = me;
      try {
        while (state == PENDING) {
          if (me.isInterrupted()) {
            return giveUp(INTERRUPTED);
          }
          long left = end - System.nanoTime();
          if (left <= 0) {
            return giveUp(STOPPED);
          }
          LockSupport.parkNanos(this, left);
        }
        return DONE;
      } finally {
        parkedCaller = null;
      }
    }

    /** Abandons the step unless its result has just arrived, which then wins. */
    private int giveUp(int why) {
      if (STATE.compareAndSet(this, PENDING, STOPPED)) {
        return why;
      }
      return state == DONE ? DONE : why;
    }

    void stop() {
      state = STOPPED;
      LockSupport.unpark(thread);
    }

    @Override
    public void run() {
      while (awaitStep()) {
        double l = Double.NaN;
        Throwable err = null;
        try {
          l = exe.trainStep(x, y, buffer);
        } catch (Throwable t) {
          err = t;
        }
        loss = l;
        error = err;
        exe = null;
        x = null;
        y = null;
        if (!STATE.compareAndSet(this, PENDING, DONE)) {
          return;
        }
        Thread caller = parkedCaller;
        if (caller != null) {
          LockSupport.unpark(caller);
        }
      }
    }

    /** Whether a step was posted; {@code false} once stopped or interrupted while idle. */
    private boolean awaitStep() {
      long spinEnd = System.nanoTime() + WORKER_SPIN_NANOS;
      int s;
      while ((s = state) == DONE && System.nanoTime() - spinEnd < 0) {
        Thread.yield();
      }
      if (s == DONE) {
        workerParked = true;
        try {
          while ((s = state) == DONE) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
              return false;
            }
          }
        } finally {
          workerParked = false;
        }
      }
      return s == PENDING;
    }
  }
}
