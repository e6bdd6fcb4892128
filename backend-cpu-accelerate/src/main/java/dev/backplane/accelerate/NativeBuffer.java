package dev.backplane.accelerate;

import java.nio.FloatBuffer;

/**
 * Off-heap float memory that a {@link NativeGemm} reads and writes without copying, allocated by
 * {@link NativeGemm#allocate}. Java code reaches the values through {@link #floats()}. Freed by
 * {@link #close()}, not by the garbage collector's schedule; using it afterwards is an error.
 */
public interface NativeBuffer extends AutoCloseable {
  /** Number of floats. */
  long size();

  /** A direct, native-order view of the whole buffer, position 0; never {@code null}. */
  FloatBuffer floats();

  /** Frees the memory. Idempotent. */
  @Override
  void close();
}
