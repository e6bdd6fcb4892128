package dev.backplane.accelerate;

/**
 * Runs the element-wise work of one {@link Pass} (bias, activations, their derivatives, dropout)
 * over the backend's {@link ComputePool}: the range of rows (or columns) is cut into chunks that
 * the pool's threads claim. Between the matrix products of a step that work is otherwise left to
 * one thread while the others wait; at mnist-mlp's batch of 128×512 it is worth the dispatch.
 *
 * <p>A runner belongs to its pass, so concurrent predictions, each with its own pass, never share
 * one; when the pool is busy with another pass the whole range runs on the calling thread.
 * Every element is computed by the same code whatever the split, so results do not depend on the
 * thread count. Dispatch allocates nothing.
 */
final class PassRunner implements ComputePool.ChunkedTask {
  /** Work on a range of one pass, by one thread. */
  interface RangeWork {
    /**
     * Processes items {@code [from, to)}: rows or columns, as the work defines.
     *
     * @param worker the thread, for its scratch rows in the pass ({@link Pass#scratch})
     */
    void run(Pass pass, int from, int to, int worker);
  }

  /** Element operations from which work is split over the pool. */
  static final long PARALLEL_ELEMENTS = 1L << 14;
  /** Chunks per thread, claimed one at a time so a delayed thread holds up little. */
  static final int CHUNKS_PER_THREAD = 2;

  private final ComputePool pool;
  private final Pass pass;
  private RangeWork work;
  private int count;

  /**
   * @param pool the threads, or {@code null} to run everything on the calling thread
   */
  PassRunner(ComputePool pool, Pass pass) {
    this.pool = pool;
    this.pass = pass;
  }

  /** The threads work may run on: scratch is needed for this many workers. */
  static int workers(ComputePool pool) {
    return pool == null ? 1 : pool.threads();
  }

  /**
   * Runs {@code work} on items {@code [0, count)}, split over the pool when {@code elements}
   * (the element operations in all, weighted by their cost) make it worthwhile.
   */
  void run(RangeWork work, int count, long elements) {
    if (pool == null || pool.threads() == 1 || count < 2 || elements < PARALLEL_ELEMENTS) {
      work.run(pass, 0, count, 0);
      return;
    }
    this.work = work;
    this.count = count;
    try {
      pool.run(this, Math.min(count, CHUNKS_PER_THREAD * pool.threads()));
    } finally {
      this.work = null;
    }
  }

  @Override
  public void run(int chunk, int chunks, int worker) {
    int from = (int) ((long) count * chunk / chunks);
    int to = (int) ((long) count * (chunk + 1) / chunks);
    if (to > from) {
      work.run(pass, from, to, worker);
    }
  }
}
