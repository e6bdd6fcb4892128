package dev.backplane.model;

import dev.backplane.trust.Diff;
import java.util.Locale;

/**
 * What went wrong with one training step on a guarded device.
 *
 * @param kind the kind of fault
 * @param what what the device did, in words ("returned a non-finite loss (NaN)")
 * @param detail more about it (the error, the deadline, the difference), or {@code null}
 * @param loss the device's loss, when it returned one; NaN otherwise
 * @param cause the device's exception, or {@code null}
 */
record Fault(Kind kind, String what, String detail, double loss, RuntimeException cause) {
  /** The kinds of fault the guard handles. */
  enum Kind {
    /** The step threw. */
    THREW,
    /** The step did not finish within {@code backplane.step.timeout}. */
    TIMED_OUT,
    /** The step returned a non-finite loss or outputs. */
    NON_FINITE,
    /** An audit found the step's results too far from the reference CPU kernels. */
    DRIFTED
  }

  static Fault threw(RuntimeException e) {
    return new Fault(Kind.THREW, "threw", describe(e), Double.NaN, e);
  }

  static Fault timedOut(String deadline) {
    return new Fault(Kind.TIMED_OUT, "timed out", "no result within " + deadline
        + " (backplane.step.timeout); the step was abandoned", Double.NaN, null);
  }

  /** An inference call ({@code predict}, {@code evaluate}) that overran the deadline. */
  static Fault timedOutIn(String call, String deadline) {
    return new Fault(Kind.TIMED_OUT, "timed out", "no result within " + deadline
        + " (backplane.step.timeout); the " + call + " call was abandoned", Double.NaN, null);
  }

  static Fault nonFinite(double loss, boolean lossFinite) {
    return new Fault(Kind.NON_FINITE, lossFinite ? "returned non-finite outputs"
        : "returned a non-finite loss (" + loss + ")", null, loss, null);
  }

  static Fault drifted(String where, double diff, double tolerance, int every) {
    return new Fault(Kind.DRIFTED, "drifted from the reference CPU kernels", "an audit"
        + " (backplane.audit.every=" + every + ") found " + where + " differing by "
        + Diff.format(diff) + " relative (tolerance " + Diff.format(tolerance) + ")",
        Double.NaN, null);
  }

  /** {@code <device> <what> at step N (epoch E)[: detail]}. */
  String describeAt(String device, long step, int epoch) {
    return device + " " + what + " at step " + step + " (epoch " + (epoch + 1) + ")"
        + (detail == null ? "" : ": " + detail);
  }

  /** {@code <device> <what> in <call>[: detail]}, for a fault outside a training step. */
  String describeIn(String device, String call) {
    return device + " " + what + " in " + call + (detail == null ? "" : ": " + detail);
  }

  /** Whether the device is at fault whatever the fallback computes. */
  boolean deviceAtFaultRegardless() {
    return kind != Kind.NON_FINITE;
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  static String loss(double perSample) {
    return String.format(Locale.ROOT, "%.4f", perSample);
  }
}
