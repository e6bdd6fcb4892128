package dev.backplane.cli.bench;

/** What a row's numbers measure, and which direction is better. */
public enum Unit {
  /** Milliseconds per run; lower is better. */
  MS("ms", false),
  /** Microseconds per call ({@code us}); lower is better. */
  US("us", false),
  /** Samples per second; higher is better. */
  SAMPLES_PER_S("samples/s", true),
  /** Billions of floating-point operations per second; higher is better. */
  GFLOPS("GFLOP/s", true);

  private final String label;
  private final boolean higherIsBetter;

  Unit(String label, boolean higherIsBetter) {
    this.label = label;
    this.higherIsBetter = higherIsBetter;
  }

  /** As printed, e.g. {@code samples/s}. */
  public String label() {
    return label;
  }

  /** Whether a larger number is faster. */
  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /**
   * How many times faster {@code value} is than {@code reference} (above 1: faster), whichever
   * direction the unit counts.
   */
  public double speedup(double value, double reference) {
    return higherIsBetter ? value / reference : reference / value;
  }
}
