package dev.backplane.ops;

/**
 * The counter-based random stream behind {@code random_uniform}, for backends: every backend
 * must produce exactly these values, so dropout masks agree to the bit.
 */
public final class Random {
  private Random() {}

  /** The stream key for a model seed, an iteration and an op's salt. */
  public static long key(long seed, long iteration, long salt) {
    return SourceOps.key(seed, iteration, salt);
  }

  /** Element {@code i} of the stream: a float32 in [0, 1) with 24 random bits. */
  public static float uniform(long key, long i) {
    return SourceOps.uniform(key, i);
  }
}
