package dev.backplane.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The conformance matrix: backend × check → pass / fail / skip, with the measured deviation and
 * the tolerance. {@link #table()} renders it for people; {@link #results()} is for machines.
 */
public final class ConformanceReport {
  private final List<CheckResult> results;

  /** A report over these results (of one or several backends). */
  public ConformanceReport(List<CheckResult> results) {
    this.results = List.copyOf(Objects.requireNonNull(results, "results"));
  }

  /** Every result, in run order. */
  public List<CheckResult> results() {
    return results;
  }

  /** The results of one backend. */
  public List<CheckResult> results(String backend) {
    return results.stream().filter(r -> r.backend().equals(backend)).toList();
  }

  /** The result of one check on one backend, if it ran. */
  public java.util.Optional<CheckResult> result(String backend, String check) {
    return results.stream().filter(r -> r.backend().equals(backend) && r.check().equals(check))
        .findFirst();
  }

  /** Whether any check failed. */
  public boolean hasFailures() {
    return results.stream().anyMatch(r -> r.status() == Status.FAIL);
  }

  /** How many results have this status. */
  public long count(Status status) {
    return results.stream().filter(r -> r.status() == status).count();
  }

  /** The backend ids, in run order. */
  public List<String> backends() {
    Set<String> ids = new LinkedHashSet<>();
    results.forEach(r -> ids.add(r.backend()));
    return List.copyOf(ids);
  }

  /** This report followed by another's results. */
  public ConformanceReport plus(ConformanceReport other) {
    List<CheckResult> all = new ArrayList<>(results);
    all.addAll(other.results);
    return new ConformanceReport(all);
  }

  /**
   * The matrix as text: one row per check with its tolerance and one column per backend (status
   * and max deviation), a summary line per backend, then every failure, skip and known gap with
   * its reason, identical reasons folded.
   */
  public String table() {
    List<String> backends = backends();
    Map<String, Map<String, CheckResult>> byCheck = new LinkedHashMap<>();
    for (CheckResult r : results) {
      byCheck.computeIfAbsent(r.check(), k -> new LinkedHashMap<>()).put(r.backend(), r);
    }
    int checkWidth = "CHECK".length();
    for (String c : byCheck.keySet()) {
      checkWidth = Math.max(checkWidth, c.length());
    }
    int[] widths = new int[backends.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = backends.get(i).length();
      for (Map<String, CheckResult> row : byCheck.values()) {
        CheckResult r = row.get(backends.get(i));
        widths[i] = Math.max(widths[i], r == null ? 1 : cell(r).length());
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(pad("CHECK", checkWidth)).append("  ").append(pad("TOLERANCE", 9));
    for (int i = 0; i < widths.length; i++) {
      b.append("  ").append(pad(backends.get(i), widths[i]));
    }
    trimLine(b);
    for (Map.Entry<String, Map<String, CheckResult>> e : byCheck.entrySet()) {
      CheckResult any = e.getValue().values().iterator().next();
      b.append(pad(e.getKey(), checkWidth)).append("  ")
          .append(pad(Report.number(any.tolerance()), 9));
      for (int i = 0; i < widths.length; i++) {
        CheckResult r = e.getValue().get(backends.get(i));
        b.append("  ").append(pad(r == null ? "-" : cell(r), widths[i]));
      }
      trimLine(b);
    }
    b.append('\n');
    for (String backend : backends) {
      List<CheckResult> rs = results(backend);
      String device = rs.stream().map(CheckResult::device).filter(Objects::nonNull).findFirst()
          .orElse("no device");
      b.append(backend).append(" (").append(device).append("): ")
          .append(count(rs, Status.PASS)).append(" passed, ")
          .append(count(rs, Status.FAIL)).append(" failed, ")
          .append(count(rs, Status.SKIP)).append(" skipped\n");
    }
    String details = details();
    if (!details.isEmpty()) {
      b.append("\nFailures, skips and known gaps:\n").append(details);
    }
    return b.toString();
  }

  private String details() {
    StringBuilder b = new StringBuilder();
    for (String backend : backends()) {
      List<CheckResult> rs = results(backend);
      Map<String, List<String>> folded = new LinkedHashMap<>();
      for (CheckResult r : rs) {
        boolean gapNote = r.status() == Status.PASS && r.reason().startsWith("declared as a");
        if (r.status() != Status.PASS || gapNote) {
          folded.computeIfAbsent(r.status().label() + "\u0000" + r.reason(),
              k -> new ArrayList<>()).add(r.check());
        }
      }
      for (Map.Entry<String, List<String>> e : folded.entrySet()) {
        String[] parts = e.getKey().split("\u0000", 2);
        List<String> checks = e.getValue();
        String which = checks.size() == rs.size() && rs.size() > 1
            ? "all " + rs.size() + " checks" : String.join(", ", checks);
        b.append("  ").append(backend).append(' ').append(parts[0]).append(' ').append(which)
            .append(": ").append(parts[1]).append('\n');
      }
    }
    return b.toString();
  }

  private static long count(List<CheckResult> rs, Status s) {
    return rs.stream().filter(r -> r.status() == s).count();
  }

  private static String cell(CheckResult r) {
    return r.maxDeviation() == null ? r.status().label()
        : r.status().label() + " " + Report.number(r.maxDeviation());
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static void trimLine(StringBuilder b) {
    int end = b.length();
    while (end > 0 && b.charAt(end - 1) == ' ') {
      end--;
    }
    b.setLength(end);
    b.append('\n');
  }

  @Override
  public String toString() {
    return table();
  }
}
