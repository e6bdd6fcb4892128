package dev.backplane.tfjava;

import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;

/**
 * The model's state as TensorFlow resource variables, in {@link ModelState} order: trainable
 * parameters, non-trainable variables and optimizer slots, each with one read (shared by every
 * program and by snapshots) and one fed assignment (restore, and the initial weights). The
 * iteration count is kept by the executable on the host and fed to each step.
 *
 * <p>Every variable gets its own {@code shared_name}: TensorFlow keys resource variables by that
 * name, and graph-mode variables that leave it empty all alias one variable.
 */
final class StateVariables {
  /** Every state array's name, in {@link ModelState} order (parameters, variables, slots). */
  final List<String> names = new ArrayList<>();
  final Map<String, VarHandleOp> handles = new LinkedHashMap<>();
  final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
  final List<Placeholder<TFloat32>> feeds = new ArrayList<>();
  final Op restore;

  /**
   * @param tf scope on the model's device
   * @param layout the state whose names and shapes the variables take (values are not used)
   */
  StateVariables(Ops tf, ModelState layout) {
    List<Op> assigns = new ArrayList<>();
    int index = 0;
    for (List<NamedArray> group : List.of(layout.parameters(), layout.variables(),
        layout.slots())) {
      for (NamedArray a : group) {
        String id = "state_" + index++;
        Ops scope = tf.withSubScope(id);
        Shape shape = shapeOf(a.shape());
        VarHandleOp handle = scope.withName("var").varHandleOp(TFloat32.class, shape,
            VarHandleOp.sharedName(id), VarHandleOp.debugName(a.name()));
        names.add(a.name());
        handles.put(a.name(), handle);
        reads.put(a.name(), scope.withName("read").readVariableOp(handle, TFloat32.class));
        Placeholder<TFloat32> feed = scope.withName("feed").placeholder(TFloat32.class,
            Placeholder.shape(shape));
        feeds.add(feed);
        assigns.add(scope.withName("assign").assignVariableOp(handle, feed));
      }
    }
    restore = tf.withName("restore").withControlDependencies(assigns).noOp();
  }

  /** All arrays of a state, in the order of {@link #names}. */
  static List<NamedArray> all(ModelState state) {
    List<NamedArray> out = new ArrayList<>(state.parameters());
    out.addAll(state.variables());
    out.addAll(state.slots());
    return out;
  }

  static Shape shapeOf(int[] dims) {
    long[] d = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      d[i] = dims[i];
    }
    return Shape.of(d);
  }
}
