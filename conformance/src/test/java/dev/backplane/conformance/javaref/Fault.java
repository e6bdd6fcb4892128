package dev.backplane.conformance.javaref;

/** Bugs the test backend can be told to have, so tests can prove the kit catches each. */
public enum Fault {
  /** GELU computed with the tanh approximation (forward and its own derivative). */
  GELU_TANH,
  /** A relu derivative of 0.1 instead of 0 for negative inputs. */
  RELU_GRADIENT,
  /** Adam without bias correction. */
  ADAM_NO_BIAS_CORRECTION,
  /** Nesterov ignored: plain momentum. */
  NESTEROV_IGNORED,
  /** Snapshots report iteration 0. */
  SNAPSHOT_DROPS_ITERATIONS,
  /** Snapshots share the live arrays instead of copying them. */
  SNAPSHOT_SHARES_ARRAYS,
  /** Dropout masks drawn from the clock. */
  NONDETERMINISTIC_DROPOUT,
  /** Dropout applied in predict as in training. */
  DROPOUT_IN_PREDICT,
  /** Every compile starts a thread that never ends. */
  LEAKS_THREADS,
  /** Every compile keeps 2 MiB of touched native memory that is never freed. */
  LEAKS_NATIVE_MEMORY,
  /** GELU declined at compile time. */
  UNSUPPORTED_GELU,
  /** Unknown layers rejected with an IllegalStateException that does not name the layer. */
  VAGUE_UNKNOWN_LAYER,
  /** The bias is not added in the forward pass. */
  BIAS_IGNORED
}
