package dev.backplane.tfjava;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The baseline of the speed check: an MLP written directly against TF Java, the way one would by
 * hand — placeholders, resource variables, MatMul/BiasAdd, the loss, Graph gradients, one fused
 * Adam op per variable, and per batch fresh input tensors and a fresh runner fetching the outputs
 * and the loss sum (the same work a backend step does). Independent of the backend's classes.
 */
final class HandBuiltGraph implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> x;
  private final Placeholder<TFloat32> y;
  private final Operand<TFloat32> out;
  private final Operand<TFloat32> lossSum;
  private final Op train;
  private final int inputs;
  private final int outputs;

  /**
   * @param sizes layer widths, input first: {@code {10, 128, 1}} or {@code {784, 512, 512, 10}}
   * @param weights initial kernels and biases in order, as the api's state has them
   * @param sparse softmax output with sparse categorical cross-entropy; else sigmoid with binary
   * @param grappler whether TensorFlow's Grappler optimizer runs (TF's default: on)
   */
  HandBuiltGraph(int[] sizes, List<float[]> weights, boolean sparse, int threads,
      boolean grappler) {
    inputs = sizes[0];
    outputs = sizes[sizes.length - 1];
    Ops tf = Ops.create(graph);
    x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, inputs)));
    y = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, sparse ? 1 : outputs)));
    List<Op> init = new ArrayList<>();
    List<VarHandleOp> vars = new ArrayList<>();
    List<Operand<TFloat32>> reads = new ArrayList<>();
    for (int i = 0; i < weights.size(); i++) {
      int layer = i / 2;
      Shape shape = i % 2 == 0 ? Shape.of(sizes[layer], sizes[layer + 1])
          : Shape.of(sizes[layer + 1]);
      VarHandleOp v = tf.varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName("w" + i));
      vars.add(v);
      init.add(tf.assignVariableOp(v, tf.constant(shape, DataBuffers.of(weights.get(i)))));
      reads.add(tf.readVariableOp(v, TFloat32.class));
    }
    Operand<TFloat32> h = x;
    for (int layer = 0; layer < sizes.length - 1; layer++) {
      h = tf.nn.biasAdd(tf.linalg.matMul(h, reads.get(2 * layer)), reads.get(2 * layer + 1));
      boolean last = layer == sizes.length - 2;
      h = !last ? tf.nn.relu(h) : sparse ? tf.nn.softmax(h) : tf.math.sigmoid(h);
    }
    out = h;
    Operand<TFloat32> p = tf.math.minimum(tf.math.maximum(out, tf.constant(1e-7f)),
        tf.constant(1f - 1e-7f));
    Operand<TInt32> last = tf.constant(-1);
    Operand<TFloat32> perSample;
    if (sparse) {
      Operand<TInt32> labels = tf.dtypes.cast(tf.reshape(y, tf.constant(new int[] {-1})),
          TInt32.class);
      Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(outputs), tf.constant(1f),
          tf.constant(0f));
      Operand<TFloat32> q = tf.math.div(out, tf.sum(out, last, Sum.keepDims(true)));
      Operand<TFloat32> pq = tf.math.minimum(tf.math.maximum(q, tf.constant(1e-7f)),
          tf.constant(1f - 1e-7f));
      perSample = tf.math.neg(tf.sum(tf.math.mul(oneHot, tf.math.log(pq)), last));
    } else {
      Operand<TFloat32> one = tf.constant(1f);
      perSample = tf.math.neg(tf.math.mean(tf.math.add(tf.math.mul(y, tf.math.log(p)),
          tf.math.mul(tf.math.sub(one, y), tf.math.log(tf.math.sub(one, p)))), last));
    }
    lossSum = tf.sum(perSample, tf.constant(0));
    Operand<TFloat32> mean = tf.math.mean(perSample, tf.constant(0));
    Output<?>[] grads = graph.addGradients(mean.asOutput(),
        reads.stream().map(Operand::asOutput).toArray(Output[]::new));
    VarHandleOp step = tf.varHandleOp(TInt64.class, Shape.scalar(),
        VarHandleOp.sharedName("step"));
    init.add(tf.assignVariableOp(step, tf.constant(0L)));
    Operand<TInt64> stepRead = tf.readVariableOp(step, TInt64.class);
    Operand<TInt64> next = tf.math.add(stepRead, tf.constant(1L));
    Operand<TFloat64> t = tf.dtypes.cast(next, TFloat64.class);
    Operand<TFloat32> beta1Power = tf.dtypes.cast(tf.math.pow(tf.constant(0.9), t), TFloat32.class);
    Operand<TFloat32> beta2Power = tf.dtypes.cast(tf.math.pow(tf.constant(0.999), t),
        TFloat32.class);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      List<Op> slots = new ArrayList<>();
      VarHandleOp m = tf.varHandleOp(TFloat32.class, reads.get(i).shape(),
          VarHandleOp.sharedName("m" + i));
      VarHandleOp v = tf.varHandleOp(TFloat32.class, reads.get(i).shape(),
          VarHandleOp.sharedName("v" + i));
      slots.add(tf.assignVariableOp(m, tf.zeros(tf.constant(reads.get(i).shape()),
          TFloat32.class)));
      slots.add(tf.assignVariableOp(v, tf.zeros(tf.constant(reads.get(i).shape()),
          TFloat32.class)));
      init.addAll(slots);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
      updates.add(tf.train.resourceApplyAdam(vars.get(i), m, v, beta1Power, beta2Power,
          tf.constant(0.001f), tf.constant(0.9f), tf.constant(0.999f), tf.constant(1e-7f), g));
    }
    updates.add(tf.assignVariableOp(step, next));
    train = tf.withControlDependencies(updates).noOp();
    ConfigProto.Builder config = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads);
    if (!grappler) {
      config.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
          RewriterConfig.newBuilder().setDisableMetaOptimizer(true)));
    }
    session = new Session(graph, false, config.build());
    Op initAll = tf.withControlDependencies(init).noOp();
    session.runner().addTarget(initAll).run().close();
  }

  /** One step on rows {@code [from, to)} of the data; returns the loss sum. */
  double step(float[] xs, float[] ys, int from, int to, float[] outputsInto) {
    int n = to - from;
    int yPer = ys.length / (xs.length / inputs);
    try (TFloat32 xt = TFloat32.tensorOf(Shape.of(n, inputs),
            DataBuffers.of(xs, true, false).slice((long) from * inputs, (long) n * inputs));
        TFloat32 yt = TFloat32.tensorOf(Shape.of(n, yPer),
            DataBuffers.of(ys, true, false).slice((long) from * yPer, (long) n * yPer));
        Result r = session.runner().feed(x, xt).feed(y, yt).fetch(out).fetch(lossSum)
            .addTarget(train).run()) {
      ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(outputsInto, 0, n * outputs);
      return ((TFloat32) r.get(1)).getFloat();
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
