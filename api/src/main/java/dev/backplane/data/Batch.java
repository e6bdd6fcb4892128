package dev.backplane.data;

import dev.backplane.tensor.Tensor;
import java.util.Objects;

/**
 * One batch of a {@link Dataset#ofBatches stream}: inputs {@code x}, shaped
 * {@code (rows, featureShape...)}, and labels {@code y}, shaped {@code (rows, labelSize)}, or
 * {@code null} for inputs only (prediction).
 *
 * @param x the inputs
 * @param y the labels, or {@code null}
 */
public record Batch(Tensor x, Tensor y) {
  /** Checks that the labels, when given, have a row per input row. */
  public Batch {
    Objects.requireNonNull(x, "x");
    if (y != null && y.rows() != x.rows()) {
      throw new IllegalArgumentException("Batch has " + x.rows() + " inputs but " + y.rows()
          + " labels; give one label row per input row");
    }
  }
}
