package dev.backplane;

import dev.backplane.config.Fallback;
import java.util.List;

/**
 * The outcome of placement: the chosen device and the explanation of every candidate. Immutable.
 *
 * @param chosen the device models will run on
 * @param preferences the preference list placement worked from
 * @param fallback the fallback policy in force
 * @param candidates every device considered, in order, with its verdict
 */
public record Placement(DeviceInfo chosen, List<String> preferences, Fallback fallback,
    List<Candidate> candidates) {
  /** Copies the lists. */
  public Placement {
    preferences = List.copyOf(preferences);
    candidates = List.copyOf(candidates);
  }

  /** The chosen device. */
  public Device device() {
    return chosen.device();
  }

  /** Whether the chosen device is a fallback rather than a preferred device. */
  public boolean fellBack() {
    return candidates.stream().anyMatch(c -> c.verdict() == Candidate.Verdict.FALLBACK);
  }

  /** The explanation: a header line, then one line per candidate. */
  public String explain() {
    return explain(preferences, fallback, candidates);
  }

  static String explain(List<String> preferences, Fallback fallback, List<Candidate> candidates) {
    int width = candidates.stream().mapToInt(c -> c.device().toString().length()).max().orElse(0);
    StringBuilder b = new StringBuilder("Placement (preference: ")
        .append(preferences.isEmpty() ? "by priority" : String.join(", ", preferences))
        .append("; fallback: ").append(fallback.name().toLowerCase(java.util.Locale.ROOT))
        .append(")");
    for (Candidate c : candidates) {
      b.append("\n  ").append(c.line(width));
    }
    return b.toString();
  }
}
