package dev.backplane.metal;

import java.util.Locale;
import java.util.Objects;

/**
 * A fault the simulated Metal device injects, parsed from {@code backplane.metal.simulate}:
 *
 * <table>
 *   <caption>Modes</caption>
 *   <tr><td>{@code ok}</td><td>computes right (with the reference CPU kernels)</td></tr>
 *   <tr><td>{@code crash}, {@code crash-after:N}</td><td>every training step from step 0 (or
 *       N) throws</td></tr>
 *   <tr><td>{@code crash-probe}</td><td>the probe throws</td></tr>
 *   <tr><td>{@code hang}, {@code hang-after:N}</td><td>every training step from step 0 (or N)
 *       blocks until the executable is closed</td></tr>
 *   <tr><td>{@code hang-probe}</td><td>the probe blocks forever</td></tr>
 *   <tr><td>{@code halt-probe}</td><td>the probe halts its JVM with exit code 134, as a native
 *       crash would; acts only in a child probe process
 *       ({@code backplane.probe.isolation=process}), elsewhere the probe refuses</td></tr>
 *   <tr><td>{@code nan-after:N}</td><td>from step N the loss and outputs are NaN and the
 *       weights are poisoned</td></tr>
 *   <tr><td>{@code drift:E}</td><td>outputs, loss and weight updates are scaled by
 *       {@code 1 + E}, silently (0 &lt; E &lt; 1)</td></tr>
 *   <tr><td>{@code slow:MS}</td><td>every step takes MS milliseconds longer</td></tr>
 *   <tr><td>{@code crash-inference}, {@code hang-inference}</td><td>training steps run right,
 *       but every {@code predict} and {@code evaluate} call throws (or blocks until the
 *       executable is closed)</td></tr>
 * </table>
 *
 * <p>Steps are counted by the executable's optimizer iteration (0-based), so a canary (3 steps
 * on its own executable) sees {@code nan-after:5} as healthy and {@code nan-after:0} as broken.
 *
 * @param kind the kind of fault
 * @param inProbe whether the fault hits the probe instead of training steps
 * @param inInference whether the fault hits inference calls instead of training steps
 * @param fromStep first faulty step (0 for step modes without {@code -after:N})
 * @param drift relative perturbation of {@link Kind#DRIFT}
 * @param delayMillis extra time per step of {@link Kind#SLOW}
 */
public record SimulationMode(Kind kind, boolean inProbe, boolean inInference, long fromStep,
    double drift, long delayMillis) {
  /** The accepted values, for error messages and documentation. */
  public static final String ALLOWED = "ok | crash | crash-after:N | crash-probe | hang"
      + " | hang-after:N | hang-probe | halt-probe | nan-after:N | drift:E (0 < E < 1)"
      + " | slow:MS | crash-inference | hang-inference";

  /** The kinds of fault. */
  public enum Kind {
    /** No fault. */
    OK,
    /** Throws. */
    CRASH,
    /** Blocks. */
    HANG,
    /** Halts the probing JVM. */
    HALT,
    /** Non-finite results. */
    NAN,
    /** Silently wrong results. */
    DRIFT,
    /** Slow steps. */
    SLOW
  }

  /** Validates the components. */
  public SimulationMode {
    Objects.requireNonNull(kind, "kind");
  }

  /**
   * Parses a mode.
   *
   * @throws IllegalArgumentException listing the valid modes
   */
  public static SimulationMode parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    int colon = t.indexOf(':');
    String word = colon < 0 ? t : t.substring(0, colon);
    String arg = colon < 0 ? null : t.substring(colon + 1).trim();
    switch (word) {
      case "ok":
        return noArg(arg, new SimulationMode(Kind.OK, false, false, 0, 0, 0));
      case "crash":
        return noArg(arg, new SimulationMode(Kind.CRASH, false, false, 0, 0, 0));
      case "crash-after":
        return new SimulationMode(Kind.CRASH, false, false, count(arg), 0, 0);
      case "crash-probe":
        return noArg(arg, new SimulationMode(Kind.CRASH, true, false, 0, 0, 0));
      case "hang":
        return noArg(arg, new SimulationMode(Kind.HANG, false, false, 0, 0, 0));
      case "hang-after":
        return new SimulationMode(Kind.HANG, false, false, count(arg), 0, 0);
      case "hang-probe":
        return noArg(arg, new SimulationMode(Kind.HANG, true, false, 0, 0, 0));
      case "halt-probe":
        return noArg(arg, new SimulationMode(Kind.HALT, true, false, 0, 0, 0));
      case "nan-after":
        return new SimulationMode(Kind.NAN, false, false, count(arg), 0, 0);
      case "drift":
        return new SimulationMode(Kind.DRIFT, false, false, 0, fraction(arg), 0);
      case "crash-inference":
        return noArg(arg, new SimulationMode(Kind.CRASH, false, true, 0, 0, 0));
      case "hang-inference":
        return noArg(arg, new SimulationMode(Kind.HANG, false, true, 0, 0, 0));
      case "slow":
        return new SimulationMode(Kind.SLOW, false, false, 0, 0, count(arg));
      default:
        throw invalid();
    }
  }

  private static SimulationMode noArg(String arg, SimulationMode mode) {
    if (arg != null) {
      throw invalid();
    }
    return mode;
  }

  private static long count(String arg) {
    try {
      long n = Long.parseLong(arg);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException | NullPointerException e) {
      // invalid below
    }
    throw invalid();
  }

  private static double fraction(String arg) {
    try {
      double e = Double.parseDouble(arg);
      if (e > 0 && e < 1) {
        return e;
      }
    } catch (NumberFormatException | NullPointerException e) {
      // invalid below
    }
    throw invalid();
  }

  private static IllegalArgumentException invalid() {
    return new IllegalArgumentException("expected a simulation mode");
  }

  /** Whether a training step with this 0-based index is faulty. */
  boolean hitsStep(long step) {
    return !inProbe && !inInference && kind != Kind.OK && step >= fromStep;
  }

  /** The mode as written in the configuration, e.g. {@code nan-after:5}. */
  @Override
  public String toString() {
    String base = kind.name().toLowerCase(Locale.ROOT);
    switch (kind) {
      case OK:
        return "ok";
      case NAN:
        return "nan-after:" + fromStep;
      case DRIFT:
        return "drift:" + drift;
      case SLOW:
        return "slow:" + delayMillis;
      default:
        return inProbe ? base + "-probe" : inInference ? base + "-inference"
            : fromStep == 0 ? base : base + "-after:" + fromStep;
    }
  }
}
