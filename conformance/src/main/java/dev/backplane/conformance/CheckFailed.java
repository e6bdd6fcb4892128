package dev.backplane.conformance;

/** Thrown by a check that found the backend breaking a contract that has no numeric measure. */
final class CheckFailed extends RuntimeException {
  CheckFailed(String reason) {
    super(reason, null, false, false);
  }

  CheckFailed(String reason, Throwable cause) {
    super(reason, cause, false, false);
  }
}
