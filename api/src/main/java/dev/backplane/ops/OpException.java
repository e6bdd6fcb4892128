package dev.backplane.ops;

/**
 * An op was given inputs or attributes it cannot take (ranks, shapes, dtypes, axes). The message
 * names the op, the layer that built it and the shapes.
 */
public final class OpException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** An error about {@code op} as built by {@code layer} (may be empty). */
  public OpException(String op, String layer, String problem) {
    super("Op '" + op + "'" + (layer == null || layer.isEmpty() ? "" : " in layer '" + layer + "'")
        + ": " + problem);
  }
}
