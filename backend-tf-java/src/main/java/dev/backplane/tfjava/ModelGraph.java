package dev.backplane.tfjava;

import dev.backplane.model.Dropout;
import dev.backplane.spi.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * One model as one TensorFlow graph: inputs, the training step (forward in training mode, loss,
 * gradients, update, iteration + 1, as one target), the inference forward and loss, and the state
 * variables. Immutable once built, so sessions may run it from many threads.
 */
final class ModelGraph implements AutoCloseable {
  final Graph graph;
  final Placeholder<TFloat32> x;
  final Placeholder<TFloat32> y;
  final Operand<TFloat32> trainOutput;
  final Operand<TFloat32> trainLoss;
  final Op trainStep;
  final Operand<TFloat32> evalOutput;
  final Operand<TFloat32> evalLoss;
  final List<Operand<TFloat32>> gradients;
  final StateVariables state;

  private ModelGraph(Graph graph, ModelSpec spec, TfDevice device) {
    this.graph = graph;
    Ops tf = Ops.create(graph).withDevice(device.spec());
    Ops host = Ops.create(graph).withDevice(TfDevice.cpuSpec());
    int[] in = spec.inputShape();
    long[] xShape = new long[in.length + 1];
    xShape[0] = -1;
    for (int i = 0; i < in.length; i++) {
      xShape[i + 1] = in[i];
    }
    int outputs = spec.outputSize();
    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(xShape)));
    y = tf.withName("y").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, spec.loss().sparseLabels() ? 1 : outputs)));
    state = new StateVariables(tf.withSubScope("state"), host.withSubScope("state"),
        spec.initialState(), spec.optimizer().slotNames().size());

    Ops train = tf.withSubScope("train");
    DropoutMasks masks = new DropoutMasks(train.withSubScope("dropout"),
        host.withSubScope("train").withSubScope("dropout"), x, state.iterationRead, spec.seed());
    trainOutput = Forward.build(train.withSubScope("forward"), spec, x, state.parameterReads,
        masks);
    Operand<TFloat32> perSample = Losses.perSample(train.withSubScope("loss"), spec.loss(),
        trainOutput, y, outputs);
    trainLoss = Losses.sum(train, perSample);
    Operand<TFloat32> meanLoss = Losses.mean(train, perSample);
    gradients = new ArrayList<>();
    for (Operand<?> g : train.gradients(meanLoss, state.parameterReads)) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> typed = (Operand<TFloat32>) g;
      gradients.add(typed);
    }
    List<Op> updates = new ArrayList<>(Updates.build(train.withSubScope("update"),
        host.withSubScope("train").withSubScope("update"), spec.optimizer(), state, gradients));
    Ops counter = host.withSubScope("train");
    updates.add(counter.withName("next_iteration").assignVariableOp(state.iterations,
        counter.math.add(state.iterationRead, counter.constant(1L))));
    trainStep = train.withName("step").withControlDependencies(updates).noOp();

    if (hasActiveDropout(spec)) {
      Ops eval = tf.withSubScope("eval");
      evalOutput = Forward.build(eval.withSubScope("forward"), spec, x, state.parameterReads,
          null);
      evalLoss = Losses.sum(eval, Losses.perSample(eval.withSubScope("loss"), spec.loss(),
          evalOutput, y, outputs));
    } else {
      // Without dropout training and inference compute the same ops.
      evalOutput = trainOutput;
      evalLoss = trainLoss;
    }
  }

  /**
   * Builds the graph for a checked spec, placing ops on the device (the iteration count and the
   * scalars derived from it stay on the host CPU). Closes the graph if building fails.
   */
  static ModelGraph build(ModelSpec spec, TfDevice device) {
    Graph graph = new Graph();
    try {
      return new ModelGraph(graph, spec, device);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  private static boolean hasActiveDropout(ModelSpec spec) {
    return spec.layers().stream()
        .anyMatch(l -> l instanceof Dropout d && d.rate() > 0);
  }

  @Override
  public void close() {
    graph.close();
  }
}
