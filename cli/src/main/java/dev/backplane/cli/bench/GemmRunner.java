package dev.backplane.cli.bench;

/**
 * A single-precision matrix product to time: {@code C = A · B} for square row-major matrices
 * that the runner allocates and fills itself (so native runners can keep them off-heap).
 */
public interface GemmRunner extends AutoCloseable {
  /** A short name for tables, e.g. {@code accelerate}. */
  String name();

  /** The thread count this runner computes with. */
  int threads();

  /** What computes, for the table's legend. */
  String describe();

  /** Allocates {@code A}, {@code B} (seeded values) and {@code C} of {@code n × n}. */
  void prepare(int n);

  /** Computes {@code C = A · B} on the prepared matrices once. */
  void multiply();

  /**
   * Called before a timed run of {@link #multiply} calls, outside the timing: a runner that needs
   * process-wide settings (OpenBLAS's thread count) applies them here, as other runners in the
   * same process may need other values.
   */
  default void beforeRun() {}

  /** Called after a timed run, outside the timing: undoes what {@link #beforeRun} set. */
  default void afterRun() {}

  /** Releases the matrices and any native resources. Idempotent. */
  @Override
  void close();
}
