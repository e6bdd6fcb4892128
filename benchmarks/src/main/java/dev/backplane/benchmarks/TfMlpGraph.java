package dev.backplane.benchmarks;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph of the TensorFlow Java peer, written the way one would by hand against TF Java
 * 1.1.0: placeholders, resource variables, MatMul + BiasAdd, the Keras loss on probabilities
 * (clipped to [1e-7, 1 - 1e-7]), {@link Graph#addGradients} and one fused {@code ApplyAdam} per
 * variable with Keras's defaults (lr 1e-3, beta 0.9 / 0.999, epsilon 1e-7). Resource variables
 * need distinct shared names: TF Java's session resolves an empty one to the same resource.
 *
 * @param x inputs, {@code (batch, features)}
 * @param y labels, {@code (batch, 1)}: 0/1 or class indices as floats
 * @param output probabilities, {@code (batch, outputs)}
 * @param lossSum sum over the batch of the per-sample losses
 * @param train one Adam step on the batch-mean loss (a target)
 * @param init sets the initial weights, zero moments and step 0 (a target)
 */
record TfMlpGraph(Placeholder<TFloat32> x, Placeholder<TFloat32> y, Operand<TFloat32> output,
    Operand<TFloat32> lossSum, Op train, Op init) {
  private static final float EPSILON = 1e-7f;

  /**
   * Adds the model to {@code graph}.
   *
   * @param sizes layer widths, inputs first
   * @param weights kernel {@code (in, out)} then bias {@code (out)} per layer, row-major
   */
  static TfMlpGraph build(Graph graph, int[] sizes, List<float[]> weights) {
    Ops tf = Ops.create(graph);
    int outputs = sizes[sizes.length - 1];
    boolean sparse = outputs > 1;
    Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, sizes[0])));
    Placeholder<TFloat32> y = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
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
    Operand<TFloat32> perSample = sparse ? sparseCrossEntropy(tf, h, y, outputs)
        : binaryCrossEntropy(tf, h, y);
    Operand<TFloat32> lossSum = tf.sum(perSample, tf.constant(0));
    Operand<TFloat32> mean = tf.math.mean(perSample, tf.constant(0));
    Output<?>[] grads = graph.addGradients(mean.asOutput(),
        reads.stream().map(Operand::asOutput).toArray(Output[]::new));
    Op train = adam(tf, vars, reads, grads, init);
    return new TfMlpGraph(x, y, h, lossSum, train, tf.withControlDependencies(init).noOp());
  }

  /**
   * Adds the MNIST convnet to {@code graph}: Conv2D (NHWC, VALID) + BiasAdd + Relu, MaxPool 2×2,
   * twice, then Reshape to (batch, 1600), MatMul + BiasAdd + Softmax; the same loss, gradients
   * and Adam as the MLP.
   *
   * @param weights kernel (HWIO, Keras's layout) then bias per layer: the two convolutions and
   *     the dense layer
   */
  static TfMlpGraph buildCnn(Graph graph, List<float[]> weights) {
    Ops tf = Ops.create(graph);
    int classes = 10;
    Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 28, 28, 1)));
    Placeholder<TFloat32> y = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    Shape[] shapes = {Shape.of(3, 3, 1, 32), Shape.of(32), Shape.of(3, 3, 32, 64), Shape.of(64),
        Shape.of(1600, classes), Shape.of(classes)};
    List<Op> init = new ArrayList<>();
    List<VarHandleOp> vars = new ArrayList<>();
    List<Operand<TFloat32>> reads = new ArrayList<>();
    for (int i = 0; i < shapes.length; i++) {
      VarHandleOp v = tf.varHandleOp(TFloat32.class, shapes[i], VarHandleOp.sharedName("w" + i));
      vars.add(v);
      init.add(tf.assignVariableOp(v, tf.constant(shapes[i], DataBuffers.of(weights.get(i)))));
      reads.add(tf.readVariableOp(v, TFloat32.class));
    }
    List<Long> ones = List.of(1L, 1L, 1L, 1L);
    Operand<TInt32> pool = tf.constant(new int[] {1, 2, 2, 1});
    Operand<TFloat32> h = x;
    for (int layer = 0; layer < 2; layer++) {
      h = tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(h, reads.get(2 * layer), ones, "VALID"),
          reads.get(2 * layer + 1)));
      h = tf.nn.maxPool(h, pool, pool, "VALID");
    }
    h = tf.reshape(h, tf.constant(new int[] {-1, 1600}));
    h = tf.nn.softmax(tf.nn.biasAdd(tf.linalg.matMul(h, reads.get(4)), reads.get(5)));
    Operand<TFloat32> perSample = sparseCrossEntropy(tf, h, y, classes);
    Operand<TFloat32> lossSum = tf.sum(perSample, tf.constant(0));
    Operand<TFloat32> mean = tf.math.mean(perSample, tf.constant(0));
    Output<?>[] grads = graph.addGradients(mean.asOutput(),
        reads.stream().map(Operand::asOutput).toArray(Output[]::new));
    Op train = adam(tf, vars, reads, grads, init);
    return new TfMlpGraph(x, y, h, lossSum, train, tf.withControlDependencies(init).noOp());
  }

  private static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> p) {
    return tf.math.minimum(tf.math.maximum(p, tf.constant(EPSILON)), tf.constant(1f - EPSILON));
  }

  /** {@code -(y log p + (1 - y) log(1 - p))} per sample, shape {@code (batch)}. */
  private static Operand<TFloat32> binaryCrossEntropy(Ops tf, Operand<TFloat32> out,
      Operand<TFloat32> y) {
    Operand<TFloat32> p = clip(tf, out);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> ll = tf.math.add(tf.math.mul(y, tf.math.log(p)),
        tf.math.mul(tf.math.sub(one, y), tf.math.log(tf.math.sub(one, p))));
    return tf.math.neg(tf.reshape(ll, tf.constant(new int[] {-1})));
  }

  /** {@code -log p[label]} per sample, shape {@code (batch)}. */
  private static Operand<TFloat32> sparseCrossEntropy(Ops tf, Operand<TFloat32> out,
      Operand<TFloat32> y, int classes) {
    Operand<TInt32> labels = tf.dtypes.cast(tf.reshape(y, tf.constant(new int[] {-1})),
        TInt32.class);
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(classes), tf.constant(1f),
        tf.constant(0f));
    return tf.math.neg(tf.sum(tf.math.mul(oneHot, tf.math.log(clip(tf, out))),
        tf.constant(-1)));
  }

  /** Moments and step counter (their initial values added to {@code init}) and the update. */
  private static Op adam(Ops tf, List<VarHandleOp> vars, List<Operand<TFloat32>> reads,
      Output<?>[] grads, List<Op> init) {
    VarHandleOp step = tf.varHandleOp(TInt64.class, Shape.scalar(),
        VarHandleOp.sharedName("step"));
    init.add(tf.assignVariableOp(step, tf.constant(0L)));
    Operand<TInt64> next = tf.math.add(tf.readVariableOp(step, TInt64.class), tf.constant(1L));
    Operand<TFloat64> t = tf.dtypes.cast(next, TFloat64.class);
    Operand<TFloat32> beta1Power = tf.dtypes.cast(tf.math.pow(tf.constant(0.9), t),
        TFloat32.class);
    Operand<TFloat32> beta2Power = tf.dtypes.cast(tf.math.pow(tf.constant(0.999), t),
        TFloat32.class);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      Shape shape = reads.get(i).shape();
      VarHandleOp m = tf.varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName("m" + i));
      VarHandleOp v = tf.varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName("v" + i));
      init.add(tf.assignVariableOp(m, tf.zeros(tf.constant(shape), TFloat32.class)));
      init.add(tf.assignVariableOp(v, tf.zeros(tf.constant(shape), TFloat32.class)));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
      updates.add(tf.train.resourceApplyAdam(vars.get(i), m, v, beta1Power, beta2Power,
          tf.constant(0.001f), tf.constant(0.9f), tf.constant(0.999f), tf.constant(EPSILON), g));
    }
    updates.add(tf.assignVariableOp(step, next));
    return tf.withControlDependencies(updates).noOp();
  }
}
