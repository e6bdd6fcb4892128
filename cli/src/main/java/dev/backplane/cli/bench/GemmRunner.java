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

  /** Releases the matrices and any native resources. Idempotent. */
  @Override
  void close();
}
