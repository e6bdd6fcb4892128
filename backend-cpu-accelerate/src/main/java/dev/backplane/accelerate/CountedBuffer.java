package dev.backplane.accelerate;

import java.nio.FloatBuffer;

/**
 * What the native gemms' buffers share: the size check, the float view, and {@link NativeMemory}
 * accounting from allocation to the one {@link #close()} that frees the memory. A subclass
 * allocates in its constructor, then calls {@link #allocated}; {@link #free} releases it.
 */
abstract class CountedBuffer implements NativeBuffer {
  private final long size;
  private FloatBuffer view;
  private boolean freed;

  /**
   * @throws IllegalArgumentException unless {@code size} is 1 to {@link Integer#MAX_VALUE}
   */
  CountedBuffer(long size) {
    if (size < 1 || size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Buffer size must be 1 to " + Integer.MAX_VALUE
          + " floats, got " + size);
    }
    this.size = size;
  }

  /** Records the allocated memory's view; called once by the subclass constructor. */
  final void allocated(FloatBuffer floats) {
    this.view = floats;
    NativeMemory.allocated(size * Float.BYTES);
  }

  /** Releases the memory; called at most once. */
  abstract void free();

  @Override
  public final long size() {
    return size;
  }

  @Override
  public final FloatBuffer floats() {
    return view;
  }

  @Override
  public final synchronized void close() {
    if (!freed) {
      freed = true;
      free();
      NativeMemory.freed(size * Float.BYTES);
    }
  }
}
