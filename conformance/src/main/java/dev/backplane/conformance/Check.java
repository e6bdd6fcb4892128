package dev.backplane.conformance;

import java.util.Objects;

/**
 * One conformance check: an id such as {@code forward/gelu}, what it does, its tolerance and the
 * code that measures.
 *
 * @param id category, slash, name; unique in the catalog
 * @param description one line for reports and test names
 * @param tolerance the largest accepted deviation, or {@code null} for a check without a measure
 * @param needsReference whether the check compares against the reference backend
 * @param body measures, or throws {@link CheckSkipped} / {@link CheckFailed}
 */
record Check(String id, String description, Double tolerance, boolean needsReference,
    Body body) {
  /** The measuring code of a check. */
  @FunctionalInterface
  interface Body {
    Measurement run(Session session) throws Exception;
  }

  Check {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(body, "body");
  }

  String category() {
    return id.substring(0, id.indexOf('/'));
  }
}
