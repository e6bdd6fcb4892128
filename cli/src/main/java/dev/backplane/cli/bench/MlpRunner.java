package dev.backplane.cli.bench;

/**
 * Something that trains and runs an {@link MlpTask}'s model: one of Backplane's backends through
 * the user API, or a peer library. Created with the task's data and initial weights, holding
 * whatever native resources it needs until {@link #close()}.
 *
 * <p>Threading: {@link #fit} and {@link #reset} are called by one thread at a time;
 * {@link #predict} may be called from several threads at once, never together with {@link #fit}.
 */
public interface MlpRunner extends AutoCloseable {
  /** A short name for tables, e.g. {@code accelerate} or {@code tf-graph}. */
  String name();

  /** The thread count this runner was configured with. */
  int threads();

  /**
   * What computes and what the thread count controls, for the table's legend, e.g.
   * {@code "OpenBLAS 0.3.28 via JavaCPP 1.5.11; backplane.threads=2"}.
   */
  String describe();

  /** Puts back the initial weights and a fresh optimizer (step 0). */
  void reset();

  /**
   * Trains on the task's data, in order, batch by batch.
   *
   * @return the mean per-sample loss of each epoch, as the steps computed it
   */
  double[] fit(int epochs);

  /**
   * Inference on {@code rows} samples: {@code x} holds {@code rows × inputs} values, {@code out}
   * receives {@code rows × outputs}. Thread-safe.
   */
  void predict(float[] x, int rows, float[] out);

  /** Releases the runner's resources. Idempotent. */
  @Override
  void close();
}
