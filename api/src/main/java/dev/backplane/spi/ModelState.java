package dev.backplane.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a model's training depends on, as host arrays: the trainable parameters
 * ({@code <layer>/<param>}, in layer order), the non-trainable variables (moving statistics,
 * {@code <layer>/<name>}, in layer order), the optimizer slots ({@code <layer>/<param>/<slot>},
 * in parameter order, then slot order) and the optimizer's iteration count. The unit of
 * checkpoints, failover and save/load; backend-neutral, so a state taken on one backend restores
 * on another.
 *
 * @param parameters the trainable parameters
 * @param variables the non-trainable variables
 * @param slots the optimizer's per-parameter state
 * @param iterations optimizer steps taken so far
 */
public record ModelState(List<NamedArray> parameters, List<NamedArray> variables,
    List<NamedArray> slots, long iterations) {
  /** Copies the lists (not the arrays). */
  public ModelState {
    parameters = List.copyOf(Objects.requireNonNull(parameters, "parameters"));
    variables = List.copyOf(Objects.requireNonNull(variables, "variables"));
    slots = List.copyOf(Objects.requireNonNull(slots, "slots"));
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    }
  }

  /** A state without non-trainable variables. */
  public ModelState(List<NamedArray> parameters, List<NamedArray> slots, long iterations) {
    this(parameters, List.of(), slots, iterations);
  }

  /** A deep copy: no array is shared with this state. */
  public ModelState copy() {
    return new ModelState(copyAll(parameters), copyAll(variables), copyAll(slots), iterations);
  }

  /** This state with other trainable parameters. */
  public ModelState withParameters(List<NamedArray> newParameters) {
    return new ModelState(newParameters, variables, slots, iterations);
  }

  /** The non-trainable variable with this name. */
  public NamedArray variable(String name) {
    return find(variables, name);
  }

  private static List<NamedArray> copyAll(List<NamedArray> arrays) {
    List<NamedArray> out = new ArrayList<>(arrays.size());
    for (NamedArray a : arrays) {
      out.add(a.copy());
    }
    return out;
  }

  /** The parameter with this name. */
  public NamedArray parameter(String name) {
    return find(parameters, name);
  }

  /** The slot with this name. */
  public NamedArray slot(String name) {
    return find(slots, name);
  }

  private static NamedArray find(List<NamedArray> arrays, String name) {
    for (NamedArray a : arrays) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("No array named '" + name + "'; have "
        + arrays.stream().map(NamedArray::name).toList());
  }
}
