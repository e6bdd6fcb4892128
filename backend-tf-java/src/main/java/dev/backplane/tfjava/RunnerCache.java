package dev.backplane.tfjava;

import java.util.function.IntFunction;

/**
 * The two most recently used {@link BatchRunner}s of one kind of step: a training loop alternates
 * at most between the full batch size and the last, smaller batch of an epoch. Not thread-safe;
 * used by the single thread that trains or evaluates.
 */
final class RunnerCache implements AutoCloseable {
  private final IntFunction<BatchRunner> factory;
  private BatchRunner recent;
  private BatchRunner older;

  RunnerCache(IntFunction<BatchRunner> factory) {
    this.factory = factory;
  }

  /** A runner outside the cache; the caller closes it. */
  BatchRunner create(int rows) {
    return factory.apply(rows);
  }

  /** The runner for this batch size, created on a miss (closing the least recently used). */
  BatchRunner forRows(int rows) {
    if (recent != null && recent.rows == rows) {
      return recent;
    }
    if (older != null && older.rows == rows) {
      BatchRunner hit = older;
      older = recent;
      recent = hit;
      return hit;
    }
    BatchRunner created = factory.apply(rows);
    if (older != null) {
      older.close();
    }
    older = recent;
    recent = created;
    return created;
  }

  @Override
  public void close() {
    if (recent != null) {
      recent.close();
      recent = null;
    }
    if (older != null) {
      older.close();
      older = null;
    }
  }
}
