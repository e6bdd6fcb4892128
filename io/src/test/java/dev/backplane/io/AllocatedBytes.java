package dev.backplane.io;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocates on the heap, a deterministic measure of a read's work for
 * tests (the JIT can only remove allocations, never add them): a bound on it replaces a
 * wall-clock limit.
 */
public final class AllocatedBytes {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private AllocatedBytes() {}

  /** Bytes this thread has allocated so far. */
  public static long now() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** A task that may throw. */
  @FunctionalInterface
  public interface Task {
    void run() throws Throwable;
  }

  /** The bytes {@code task} allocates on this thread, and what it threw, if anything. */
  public static Result measure(Task task) {
    long start = now();
    Throwable thrown = null;
    try {
      task.run();
    } catch (Throwable t) {
      thrown = t;
    }
    return new Result(now() - start, thrown);
  }

  /** What {@link #measure} saw. */
  public record Result(long bytes, Throwable thrown) {}
}
