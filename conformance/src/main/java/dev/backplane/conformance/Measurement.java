package dev.backplane.conformance;

/**
 * What a check measured: the largest deviation and a short note (what was compared).
 *
 * @param deviation the largest deviation, in the check's measure
 * @param note what was compared, for the report; may be empty
 */
record Measurement(double deviation, String note) {
  static Measurement of(double deviation, String note) {
    return new Measurement(deviation, note);
  }

  /** The larger of two measurements, keeping the note of the larger (or the first note). */
  Measurement max(Measurement other) {
    return Deviation.isWorse(other.deviation, deviation) || note.isEmpty() ? other : this;
  }
}
