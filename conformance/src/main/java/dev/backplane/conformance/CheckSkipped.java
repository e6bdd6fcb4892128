package dev.backplane.conformance;

/** Thrown by a check that cannot run here; the reason goes into the report. */
final class CheckSkipped extends RuntimeException {
  CheckSkipped(String reason) {
    super(reason, null, false, false);
  }
}
