package dev.backplane.conformance;

/** The outcome of one conformance check. */
public enum Status {
  /** The backend computed what the api means, within the stated tolerance. */
  PASS,
  /** The backend deviated beyond the tolerance, or behaved against the contract. */
  FAIL,
  /**
   * The check could not run here: missing hardware, a feature the backend declines at compile
   * time, no reference backend, or a known gap the backend declared. Never counts as a pass.
   */
  SKIP;

  /** The lower-case name used in reports and JSON: {@code pass}, {@code fail}, {@code skip}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
