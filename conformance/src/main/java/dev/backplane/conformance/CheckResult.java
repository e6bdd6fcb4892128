package dev.backplane.conformance;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One cell of the conformance matrix: how one backend did on one check.
 *
 * @param backend the backend id, e.g. {@code accelerate}; never {@code null}
 * @param device the device the check ran on, e.g. {@code accelerate:cpu:0}, or {@code null} when
 *     no device was usable
 * @param check the check id, e.g. {@code forward/gelu}; never {@code null}
 * @param status pass, fail or skip; never {@code null}
 * @param maxDeviation the largest deviation measured (see {@link Tolerances} for each measure), or
 *     {@code null} when nothing was measured
 * @param tolerance the largest deviation the check accepts, or {@code null} for checks that are
 *     not numeric
 * @param reason why it failed or was skipped, or a note on a pass; never {@code null}, may be
 *     empty
 * @param curves for whole-model checks, the per-epoch losses compared: {@code tested} (this
 *     backend) and {@code reference}; empty for other checks
 */
public record CheckResult(String backend, String device, String check, Status status,
    Double maxDeviation, Double tolerance, String reason, Map<String, List<Double>> curves) {
  /** Validates the components. */
  public CheckResult {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(status, "status");
    reason = reason == null ? "" : reason;
    curves = curves == null ? Map.of() : Map.copyOf(curves);
  }

  /** A result without loss curves (every check but the whole-model ones). */
  public CheckResult(String backend, String device, String check, Status status,
      Double maxDeviation, Double tolerance, String reason) {
    this(backend, device, check, status, maxDeviation, tolerance, reason, Map.of());
  }

  /** The category of the check: the part of its id before the first slash. */
  public String category() {
    int slash = check.indexOf('/');
    return slash < 0 ? check : check.substring(0, slash);
  }
}
