package dev.backplane.tfjava;

import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The model's state as TensorFlow resource variables, in {@link ModelState} order: parameters,
 * optimizer slots and the iteration count, with one read of each (shared by the training step,
 * evaluation and snapshots) and one fed assignment of each (restore, and the initial weights).
 *
 * <p>Every variable gets its own {@code shared_name}: TensorFlow keys resource variables by that
 * name, and graph-mode variables that leave it empty all alias one variable.
 */
final class StateVariables {
  final List<VarHandleOp> parameters = new ArrayList<>();
  final List<VarHandleOp> slots = new ArrayList<>();
  final List<Operand<TFloat32>> parameterReads = new ArrayList<>();
  final List<Operand<TFloat32>> slotReads = new ArrayList<>();
  final VarHandleOp iterations;
  final Operand<TInt64> iterationRead;
  final List<Placeholder<TFloat32>> parameterFeeds = new ArrayList<>();
  final List<Placeholder<TFloat32>> slotFeeds = new ArrayList<>();
  final Placeholder<TInt64> iterationFeed;
  final Op restore;
  private final int slotsPerParameter;

  /**
   * @param tf scope on the model's device
   * @param host scope on the host CPU, for the iteration count
   * @param layout the state whose names and shapes the variables take (values are not used)
   * @param slotsPerParameter optimizer slots per parameter
   */
  StateVariables(Ops tf, Ops host, ModelState layout, int slotsPerParameter) {
    this.slotsPerParameter = slotsPerParameter;
    List<Op> assigns = new ArrayList<>();
    int index = 0;
    for (NamedArray p : layout.parameters()) {
      add(tf, "param_" + index++, p, parameters, parameterReads, parameterFeeds, assigns);
    }
    index = 0;
    for (NamedArray s : layout.slots()) {
      add(tf, "slot_" + index++, s, slots, slotReads, slotFeeds, assigns);
    }
    Ops it = host.withSubScope("iterations");
    iterations = it.withName("var").varHandleOp(TInt64.class, Shape.scalar(),
        VarHandleOp.sharedName("iterations"), VarHandleOp.debugName("iterations"));
    iterationRead = it.withName("read").readVariableOp(iterations, TInt64.class);
    iterationFeed = it.withName("feed").placeholder(TInt64.class,
        Placeholder.shape(Shape.scalar()));
    assigns.add(it.withName("assign").assignVariableOp(iterations, iterationFeed));
    restore = tf.withName("restore").withControlDependencies(assigns).noOp();
  }

  private static void add(Ops tf, String id, NamedArray array, List<VarHandleOp> handles,
      List<Operand<TFloat32>> reads, List<Placeholder<TFloat32>> feeds, List<Op> assigns) {
    Ops scope = tf.withSubScope(id);
    Shape shape = shapeOf(array.shape());
    VarHandleOp handle = scope.withName("var").varHandleOp(TFloat32.class, shape,
        VarHandleOp.sharedName(id), VarHandleOp.debugName(array.name()));
    handles.add(handle);
    reads.add(scope.withName("read").readVariableOp(handle, TFloat32.class));
    Placeholder<TFloat32> feed = scope.withName("feed").placeholder(TFloat32.class,
        Placeholder.shape(shape));
    feeds.add(feed);
    assigns.add(scope.withName("assign").assignVariableOp(handle, feed));
  }

  /** The handle of slot {@code slot} (in the optimizer's slot order) of parameter {@code p}. */
  VarHandleOp slot(int p, int slot) {
    return slots.get(p * slotsPerParameter + slot);
  }

  /** The read of slot {@code slot} of parameter {@code p}. */
  Operand<TFloat32> slotRead(int p, int slot) {
    return slotReads.get(p * slotsPerParameter + slot);
  }

  static Shape shapeOf(int[] dims) {
    long[] d = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      d[i] = dims[i];
    }
    return Shape.of(d);
  }
}
