package dev.backplane.accelerate;

import java.util.concurrent.atomic.AtomicLong;

/** Counts the off-heap bytes this module holds, so tests can prove {@code close()} frees them. */
final class NativeMemory {
  private static final AtomicLong LIVE = new AtomicLong();

  private NativeMemory() {}

  static void allocated(long bytes) {
    LIVE.addAndGet(bytes);
  }

  static void freed(long bytes) {
    LIVE.addAndGet(-bytes);
  }

  /** Off-heap bytes allocated by {@link NativeGemm}s of this module and not yet freed. */
  static long liveBytes() {
    return LIVE.get();
  }
}
