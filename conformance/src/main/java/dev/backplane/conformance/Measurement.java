package dev.backplane.conformance;

import java.util.List;

/**
 * What a check measured: the largest deviation and a short note (what was compared).
 *
 * @param deviation the largest deviation, in the check's measure
 * @param note what was compared, for the report; may be empty
 * @param curves the per-epoch loss curves compared, by name ({@code tested}, {@code reference})
 */
record Measurement(double deviation, String note,
    java.util.Map<String, List<Double>> curves) {
  Measurement {
    curves = java.util.Map.copyOf(curves);
  }

  static Measurement of(double deviation, String note) {
    return new Measurement(deviation, note, java.util.Map.of());
  }

  /** This measurement with the per-epoch loss curves it compared, by name. */
  Measurement withCurves(List<Double> tested, List<Double> reference) {
    return new Measurement(deviation, note, java.util.Map.of("tested", List.copyOf(tested),
        "reference", List.copyOf(reference)));
  }

  /** The larger of two measurements, keeping the note of the larger (or the first note). */
  Measurement max(Measurement other) {
    return Deviation.isWorse(other.deviation, deviation) || note.isEmpty() ? other : this;
  }
}
