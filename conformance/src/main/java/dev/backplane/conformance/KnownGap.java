package dev.backplane.conformance;

import java.util.Objects;

/**
 * A conformance check a backend declares it does not pass yet, with the reason. A check matching
 * a known gap still runs; if it fails, it is reported as skipped with the reason ("known gap"),
 * and if it passes, the report says that the gap can be removed.
 *
 * @param pattern a check id ({@code forward/gelu}), or a prefix ending in {@code *}
 *     ({@code determinism/*}, {@code *})
 * @param reason why the backend does not conform, e.g. a link to an issue; never empty
 * @param source where the gap was declared, e.g. the file's URL or {@code "program"}
 */
public record KnownGap(String pattern, String reason, String source) {
  /** Validates the components. */
  public KnownGap {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(source, "source");
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("Known gap '" + pattern + "' needs a reason");
    }
  }

  /** Whether this gap covers the check. */
  public boolean matches(String checkId) {
    if (pattern.endsWith("*")) {
      return checkId.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return checkId.equals(pattern);
  }
}
