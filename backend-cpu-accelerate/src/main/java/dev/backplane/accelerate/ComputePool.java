package dev.backplane.accelerate;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of daemon compute threads owned by one backend. {@link #run} splits a task into one
 * part per thread; the calling thread runs part 0 itself and waits for the others, so a pool of
 * {@code threads} has {@code threads - 1} workers.
 *
 * <p>{@link #run(ChunkedTask, int)} instead cuts the work into more chunks than threads, which
 * the threads claim one at a time: on a machine shared with other work, a thread the OS delays
 * then holds up one chunk rather than half the work.
 *
 * <p>Dispatch allocates nothing: the task is a reusable object whose fields the caller sets
 * before {@link #run}. One dispatch runs at a time; a caller that finds the pool busy (e.g. two
 * concurrent {@code predict} calls) runs the whole task on its own thread instead of waiting.
 * Workers spin briefly after a task, since steps dispatch in quick succession, then park.
 *
 * <p>A thread between {@link #beginSolo()} and {@link #endSolo()} runs whatever it dispatches on
 * itself: callers that already keep the cores busy among themselves (several threads predicting
 * at once) would otherwise add the pool's workers to the runnable threads, and a split task
 * then waits at its barrier for a worker the OS has not scheduled.
 */
public final class ComputePool implements AutoCloseable {
  /** A unit of parallel work; must be safe to run its parts on different threads at once. */
  public interface Task {
    /**
     * Runs part {@code part} of {@code parts}; parts must together cover the whole work.
     *
     * @param part from 0 to {@code parts - 1}
     * @param parts how many parts the work is split into, at least 1
     */
    void run(int part, int parts);
  }

  /** Work cut into chunks; must be safe to run different chunks on different threads at once. */
  public interface ChunkedTask {
    /**
     * Runs chunk {@code chunk} of {@code chunks}; chunks must together cover the whole work.
     *
     * @param worker which thread runs it, from 0 (the caller) to {@link #threads()} - 1, for
     *     per-thread scratch; one thread runs one chunk at a time
     */
    void run(int chunk, int chunks, int worker);
  }

  private static final long SPIN_NANOS = 50_000;
  private static final AtomicInteger POOL_IDS = new AtomicInteger();

  private final Thread[] workers;
  private final ReentrantLock dispatch = new ReentrantLock();
  private final AtomicInteger remaining = new AtomicInteger();
  private volatile Task task;
  private volatile int generation;
  private volatile Thread waiter;
  private volatile Throwable failure;
  private volatile boolean closed;
  private final Claimer claimer = new Claimer();
  /** Per thread: how deeply it is inside {@link #beginSolo()}. */
  private final ThreadLocal<int[]> soloDepth = ThreadLocal.withInitial(() -> new int[1]);

  /**
   * Starts {@code threads - 1} daemon workers named {@code backplane-accelerate-<pool>-<n>}.
   *
   * @param threads the parallelism, at least 1 (1 starts no thread)
   */
  public ComputePool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    int id = POOL_IDS.incrementAndGet();
    workers = new Thread[threads - 1];
    for (int w = 0; w < workers.length; w++) {
      int part = w + 1;
      Thread t = new Thread(() -> work(part), "backplane-accelerate-" + id + "-" + part);
      t.setDaemon(true);
      workers[w] = t;
    }
    for (Thread t : workers) {
      t.start();
    }
  }

  /**
   * Until the matching {@link #endSolo()}, tasks this thread dispatches run on it alone, as
   * when the pool is busy. Calls nest.
   */
  public void beginSolo() {
    soloDepth.get()[0]++;
  }

  /** Ends the innermost {@link #beginSolo()} of this thread. */
  public void endSolo() {
    int[] depth = soloDepth.get();
    if (depth[0] == 0) {
      throw new IllegalStateException("endSolo() without beginSolo() on this thread");
    }
    depth[0]--;
  }

  private boolean solo() {
    return soloDepth.get()[0] > 0;
  }

  /** The parallelism: workers plus the calling thread. */
  public int threads() {
    return workers.length + 1;
  }

  /**
   * Runs all parts of the task, in parallel when the pool is free, else on the calling thread as
   * one part. Rethrows the first failure of any part after all parts have finished.
   */
  public void run(Task t) {
    if (workers.length == 0 || closed || solo() || !dispatch.tryLock()) {
      t.run(0, 1);
      return;
    }
    try {
      failure = null;
      remaining.set(workers.length);
      waiter = Thread.currentThread();
      task = t;
      generation = generation + 1;
      for (Thread w : workers) {
        LockSupport.unpark(w);
      }
      Throwable own = null;
      try {
        t.run(0, workers.length + 1);
      } catch (Throwable e) {
        own = e;
      }
      awaitWorkers();
      task = null;
      Throwable first = own != null ? own : failure;
      if (first instanceof RuntimeException e) {
        throw e;
      }
      if (first instanceof Error e) {
        throw e;
      }
      if (first != null) {
        throw new IllegalStateException(first);
      }
    } finally {
      dispatch.unlock();
    }
  }

  /**
   * Runs all chunks of the task, claimed one at a time by the pool's threads when it is free,
   * else in order on the calling thread (as worker 0).
   */
  public void run(ChunkedTask t, int chunks) {
    if (chunks <= 1 || workers.length == 0 || closed || solo() || !dispatch.tryLock()) {
      for (int c = 0; c < chunks; c++) {
        t.run(c, chunks, 0);
      }
      return;
    }
    try {
      claimer.target = t;
      claimer.chunks = chunks;
      claimer.next.set(0);
      run(claimer);
    } finally {
      claimer.target = null;
      dispatch.unlock();
    }
  }

  /** Hands out the chunks of a {@link ChunkedTask} to whichever thread asks next. */
  private static final class Claimer implements Task {
    final AtomicInteger next = new AtomicInteger();
    ChunkedTask target;
    int chunks;

    @Override
    public void run(int part, int parts) {
      for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
        target.run(c, chunks, part);
      }
    }
  }

  private void awaitWorkers() {
    long start = System.nanoTime();
    while (remaining.get() != 0) {
      if (System.nanoTime() - start < SPIN_NANOS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(this, 100_000);
      }
    }
  }

  private void work(int part) {
    int seen = 0;
    long idleSince = System.nanoTime();
    while (!closed) {
      int g = generation;
      if (g == seen) {
        if (System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
        continue;
      }
      seen = g;
      Task t = task;
      try {
        t.run(part, workers.length + 1);
      } catch (Throwable e) {
        failure = e;
      }
      if (remaining.decrementAndGet() == 0) {
        LockSupport.unpark(waiter);
      }
      idleSince = System.nanoTime();
    }
  }

  /** Whether every worker thread has ended (after {@link #close()}). */
  public boolean isTerminated() {
    for (Thread t : workers) {
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** Stops the workers and waits (up to ten seconds) for them to end. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    dispatch.lock();
    try {
      closed = true;
    } finally {
      dispatch.unlock();
    }
    for (Thread t : workers) {
      LockSupport.unpark(t);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Thread t : workers) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
