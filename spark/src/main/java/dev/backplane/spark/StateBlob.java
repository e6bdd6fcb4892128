package dev.backplane.spark;

import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ModelState} as Spark can serialize it: the checkpoint the driver keeps and ships to
 * the tasks at the start of each barrier stage.
 */
final class StateBlob implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Group parameters;
  private final Group variables;
  private final Group slots;
  private final long iterations;

  private record Group(String[] names, int[][] shapes, float[][] values) implements Serializable {
    static Group of(List<NamedArray> arrays) {
      int n = arrays.size();
      Group g = new Group(new String[n], new int[n][], new float[n][]);
      for (int i = 0; i < n; i++) {
        NamedArray a = arrays.get(i);
        g.names[i] = a.name();
        g.shapes[i] = a.shape().clone();
        g.values[i] = a.values().clone();
      }
      return g;
    }

    List<NamedArray> arrays() {
      List<NamedArray> out = new ArrayList<>(names.length);
      for (int i = 0; i < names.length; i++) {
        out.add(new NamedArray(names[i], shapes[i].clone(), values[i].clone()));
      }
      return out;
    }
  }

  private StateBlob(Group parameters, Group variables, Group slots, long iterations) {
    this.parameters = parameters;
    this.variables = variables;
    this.slots = slots;
    this.iterations = iterations;
  }

  static StateBlob of(ModelState s) {
    return new StateBlob(Group.of(s.parameters()), Group.of(s.variables()), Group.of(s.slots()),
        s.iterations());
  }

  ModelState toState() {
    return new ModelState(parameters.arrays(), variables.arrays(), slots.arrays(), iterations);
  }

  long iterations() {
    return iterations;
  }

  /** A hash of every value's bits: equal on replicas that stayed identical. */
  static long hash(ModelState s) {
    long h = s.iterations();
    for (List<NamedArray> list : List.of(s.parameters(), s.variables(), s.slots())) {
      for (NamedArray a : list) {
        for (float v : a.values()) {
          h = h * 31 + Float.floatToRawIntBits(v);
        }
      }
    }
    return h;
  }
}
