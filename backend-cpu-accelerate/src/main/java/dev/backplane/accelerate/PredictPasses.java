package dev.backplane.accelerate;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.IntFunction;

/**
 * Prediction {@link Frame}s kept for reuse, so a {@code predict} call in steady state allocates no
 * buffers (off-heap ones in particular, whose allocation and registration cost more than a
 * one-sample prediction). Capacities are powers of two up to {@link #maxCapacity}; a call takes
 * an idle pass of the smallest capacity that fits its input (or makes one) and gives it back
 * afterwards. A pass is used by one call at a time, which keeps predictions thread-safe. At most
 * {@link #IDLE_PER_CAPACITY} idle passes are kept per capacity; extra ones are closed.
 */
final class PredictPasses implements AutoCloseable {
  /** Idle passes kept per capacity: enough for a few threads predicting at once. */
  static final int IDLE_PER_CAPACITY = 4;

  private final int maxCapacity;
  private final IntFunction<Frame> factory;
  /** {@code idle[b]}: idle passes of capacity {@code 2^b}. */
  private final ConcurrentLinkedDeque<Frame>[] idle;
  private volatile boolean closed;

  /**
   * @param maxCapacity the largest capacity, a power of two
   * @param factory makes a pass of the capacity given
   */
  @SuppressWarnings("unchecked")
  PredictPasses(int maxCapacity, IntFunction<Frame> factory) {
    if (Integer.bitCount(maxCapacity) != 1) {
      throw new IllegalArgumentException("maxCapacity must be a power of two: " + maxCapacity);
    }
    this.maxCapacity = maxCapacity;
    this.factory = factory;
    int buckets = Integer.numberOfTrailingZeros(maxCapacity) + 1;
    this.idle = new ConcurrentLinkedDeque[buckets];
    for (int b = 0; b < buckets; b++) {
      idle[b] = new ConcurrentLinkedDeque<>();
    }
  }

  /** The capacity a call for {@code rows} rows gets: the next power of two, at most the max. */
  int capacityFor(int rows) {
    if (rows >= maxCapacity) {
      return maxCapacity;
    }
    return Math.max(1, Integer.highestOneBit(Math.max(1, rows) * 2 - 1));
  }

  /** A pass for {@code rows} rows (it may hold fewer: the caller works in chunks of it). */
  Frame acquire(int rows) {
    int capacity = capacityFor(rows);
    Frame pass = idle[bucket(capacity)].pollFirst();
    return pass != null ? pass : factory.apply(capacity);
  }

  /** Gives a pass back after use; closes it when enough are idle or this is closed. */
  void release(Frame pass) {
    ConcurrentLinkedDeque<Frame> deque = idle[bucket(pass.capacity)];
    if (closed || deque.size() >= IDLE_PER_CAPACITY) {
      pass.close();
      return;
    }
    deque.offerFirst(pass);
    if (closed) {
      // close() may have drained before the offer: drain again so nothing is left open.
      drain();
    }
  }

  /** Idle passes now held (for tests). */
  int idleCount() {
    int count = 0;
    for (ConcurrentLinkedDeque<Frame> deque : idle) {
      count += deque.size();
    }
    return count;
  }

  private static int bucket(int capacity) {
    return Integer.numberOfTrailingZeros(capacity);
  }

  private void drain() {
    for (ConcurrentLinkedDeque<Frame> deque : idle) {
      for (Frame p = deque.pollFirst(); p != null; p = deque.pollFirst()) {
        p.close();
      }
    }
  }

  /** Closes the idle passes; passes in use are closed when they are given back. */
  @Override
  public void close() {
    closed = true;
    drain();
  }
}
