package dev.backplane.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shape helpers for messages and sizes, printed the way Keras prints them. */
public final class Shapes {
  private Shapes() {}

  /** Product of the dimensions. */
  public static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Keras's form with a batch axis, e.g. {@code (None, 128)}. */
  public static String withBatch(int[] shape) {
    return "(None, " + Arrays.stream(shape).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ")) + ")";
  }

  /** A tuple, e.g. {@code (10,)} or {@code (28, 28)}. */
  public static String tuple(int[] shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    return "(" + Arrays.stream(shape).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ")) + ")";
  }
}
