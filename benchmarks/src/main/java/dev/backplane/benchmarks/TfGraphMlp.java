package dev.backplane.benchmarks;

import dev.backplane.cli.bench.MlpRunner;
import dev.backplane.cli.bench.MlpTask;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Peer (b): the task's model as a hand-built TensorFlow Java 1.1.0 graph ({@link TfMlpGraph};
 * for mnist-cnn Conv2D/BiasAdd/Relu/MaxPool in NHWC),
 * fed per batch as a hand-written program would: fresh input tensors and a session run per
 * batch, fetching the loss. TensorFlow's default session options (Grappler on) except the thread
 * counts: intra-op and inter-op parallelism both set to the runner's threads.
 */
public final class TfGraphMlp implements MlpRunner {
  /** The runner's name in tables. */
  public static final String NAME = "tf-graph";

  private final MlpTask task;
  private final int threads;
  private final Graph graph;
  private final Session session;
  private final TfMlpGraph model;
  private final float[] xs;
  private final float[] ys;

  /** Builds the graph and session and sets the task's initial weights. */
  public TfGraphMlp(MlpTask task, int threads) {
    this.task = task;
    this.threads = threads;
    this.graph = new Graph();
    try {
      this.model = task.convnet() ? TfMlpGraph.buildCnn(graph, task.initialWeights())
          : TfMlpGraph.build(graph, task.sizes(), task.initialWeights());
      ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
          .setInterOpParallelismThreads(threads).build();
      this.session = new Session(graph, false, config);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
    this.xs = task.x().toArray();
    this.ys = task.y().toArray();
    reset();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public String describe() {
    return "TensorFlow " + TensorFlow.version() + " (TF Java 1.1.0) graph built by hand, fed per"
        + " batch; TF default session options (Grappler on); intra-op = inter-op threads = "
        + threads;
  }

  @Override
  public void reset() {
    session.runner().addTarget(model.init()).run().close();
  }

  @Override
  public double[] fit(int epochs) {
    int n = task.samples();
    int batch = task.batchSize();
    double[] losses = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      double sum = 0;
      for (int from = 0; from < n; from += batch) {
        sum += step(from, Math.min(n, from + batch));
      }
      losses[e] = sum / n;
    }
    return losses;
  }

  private double step(int from, int to) {
    int rows = to - from;
    int in = task.inputs();
    try (TFloat32 x = TFloat32.tensorOf(shape(rows),
            DataBuffers.of(xs, true, false).slice((long) from * in, (long) rows * in));
        TFloat32 y = TFloat32.tensorOf(Shape.of(rows, 1),
            DataBuffers.of(ys, true, false).slice(from, rows));
        Result r = session.runner().feed(model.x(), x).feed(model.y(), y)
            .fetch(model.lossSum()).addTarget(model.train()).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Override
  public void predict(float[] x, int rows, float[] out) {
    int in = task.inputs();
    try (TFloat32 t = TFloat32.tensorOf(shape(rows),
            DataBuffers.of(x, true, false).narrow((long) rows * in));
        Result r = session.runner().feed(model.x(), t).fetch(model.output()).run()) {
      ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out, 0, rows * task.outputs());
    }
  }

  /** A batch's input shape: (rows, inputs), or (rows, 28, 28, 1) for the convnet. */
  private Shape shape(int rows) {
    int[] sample = task.inputShape();
    long[] dims = new long[sample.length + 1];
    dims[0] = rows;
    for (int i = 0; i < sample.length; i++) {
      dims[i + 1] = sample[i];
    }
    return Shape.of(dims);
  }

  @Override
  public synchronized void close() {
    session.close();
    graph.close();
  }
}
