package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code PiecewiseConstantDecay}: {@code values[0]} while {@code step <= boundaries[0]},
 * {@code values[i]} while {@code boundaries[i-1] < step <= boundaries[i]}, and the last value
 * after the last boundary. Boundaries are whole steps (Keras casts them to the step's integer
 * type).
 *
 * @param boundaries strictly increasing step counts
 * @param values one more than the boundaries
 */
public record PiecewiseConstantDecay(List<Long> boundaries, List<Double> values)
    implements LearningRateSchedule {
  /** Copies and validates the lists. */
  public PiecewiseConstantDecay {
    boundaries = List.copyOf(Objects.requireNonNull(boundaries, "boundaries"));
    values = List.copyOf(Objects.requireNonNull(values, "values"));
    if (boundaries.size() != values.size() - 1) {
      throw new IllegalArgumentException("The length of boundaries should be 1 less than the"
          + " length of values. Received: boundaries=" + boundaries + " of length "
          + boundaries.size() + ", and values=" + values + " of length " + values.size());
    }
    for (int i = 1; i < boundaries.size(); i++) {
      if (boundaries.get(i) <= boundaries.get(i - 1)) {
        throw new IllegalArgumentException("boundaries must be strictly increasing, got "
            + boundaries);
      }
    }
    for (double v : values) {
      Schedules.checkRate("each value", v);
    }
  }

  /** From arrays. */
  public PiecewiseConstantDecay(long[] boundaries, double[] values) {
    this(boxed(boundaries), boxed(values));
  }

  /** {@code values[0]}. */
  @Override
  public double initialLearningRate() {
    return values.get(0);
  }

  @Override
  public Node learningRate(Ops ops, Node iterations) {
    int n = boundaries.size();
    if (n == 0) {
      return ops.scalar(values.get(0));
    }
    Node result = ops.mul(ops.lessEqual(iterations, ops.scalar(boundaries.get(0))),
        ops.scalar(values.get(0)));
    result = ops.add(result, ops.mul(ops.greater(iterations, ops.scalar(boundaries.get(n - 1))),
        ops.scalar(values.get(n))));
    for (int i = 1; i < n; i++) {
      Node in = ops.mul(ops.greater(iterations, ops.scalar(boundaries.get(i - 1))),
          ops.lessEqual(iterations, ops.scalar(boundaries.get(i))));
      result = ops.add(result, ops.mul(in, ops.scalar(values.get(i))));
    }
    return result;
  }

  private static List<Long> boxed(long[] a) {
    List<Long> out = new ArrayList<>(a.length);
    for (long x : a) {
      out.add(x);
    }
    return out;
  }

  private static List<Double> boxed(double[] a) {
    List<Double> out = new ArrayList<>(a.length);
    for (double x : a) {
      out.add(x);
    }
    return out;
  }
}
