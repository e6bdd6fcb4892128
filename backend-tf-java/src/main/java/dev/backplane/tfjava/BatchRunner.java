package dev.backplane.tfjava;

import dev.backplane.ops.Random;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A prepared {@link Session.Runner} for one batch size: its input tensors (the batch, the labels,
 * the iteration count and any host-computed random values) stay allocated and are overwritten for
 * every batch, and its feeds, fetches and target are set once.
 */
final class BatchRunner implements AutoCloseable {
  final int rows;
  private final TFloat32 x;
  private final TFloat32 y;
  private final TInt32 iteration;
  private final FloatDataBuffer xData;
  private final FloatDataBuffer yData;
  private final List<Lowering.RandomSource> randomSources;
  private final List<TFloat32> randoms = new ArrayList<>();
  private final List<FloatDataBuffer> randomData = new ArrayList<>();
  private final float[] scratch;
  private final Session.Runner runner;

  /**
   * @param rows the batch size
   * @param xShape per-row input shape
   * @param yPerRow labels per row, or 0 when the run takes no labels
   * @param program what the run computes: its random inputs are fed from the host
   * @param prepare adds fetches and targets to a runner already fed with the inputs
   */
  BatchRunner(Session session, ModelGraph graph, int rows, long[] xShape, int yPerRow,
      ModelGraph.Lowered program, Function<Session.Runner, Session.Runner> prepare) {
    this.rows = rows;
    long[] shape = new long[xShape.length + 1];
    shape[0] = rows;
    System.arraycopy(xShape, 0, shape, 1, xShape.length);
    TFloat32 xt = null;
    TFloat32 yt = null;
    TInt32 it = null;
    try {
      xt = TFloat32.tensorOf(Shape.of(shape));
      Session.Runner r = session.runner().feed(graph.x, xt);
      if (yPerRow > 0 && graph.y != null) {
        yt = TFloat32.tensorOf(Shape.of(rows, yPerRow));
        r = r.feed(graph.y, yt);
      }
      if (graph.iteration != null) {
        it = TInt32.scalarOf(0);
        r = r.feed(graph.iteration, it);
      }
      randomSources = program.randoms;
      int largest = 0;
      for (Lowering.RandomSource s : randomSources) {
        long[] dims = new long[s.shape().length];
        for (int i = 0; i < dims.length; i++) {
          dims[i] = s.shape()[i] < 0 ? rows : s.shape()[i];
        }
        TFloat32 t = TFloat32.tensorOf(Shape.of(dims));
        randoms.add(t);
        randomData.add(t.asRawTensor().data().asFloats());
        largest = Math.max(largest, (int) t.shape().size());
        r = r.feed(s.placeholder(), t);
      }
      scratch = new float[largest];
      runner = prepare.apply(r);
    } catch (RuntimeException | Error e) {
      closeAll(xt, yt, it);
      randoms.forEach(TFloat32::close);
      throw e;
    }
    x = xt;
    y = yt;
    iteration = it;
    xData = x.asRawTensor().data().asFloats();
    yData = y == null ? null : y.asRawTensor().data().asFloats();
  }

  /** Copies a batch, the iteration count and this step's random values into the inputs. */
  void load(Tensor hostX, Tensor hostY, long iterations) {
    xData.write(hostX.data(), hostX.offset(), hostX.size());
    if (yData != null) {
      yData.write(hostY.data(), hostY.offset(), hostY.size());
    }
    if (iteration != null) {
      iteration.setInt((int) iterations);
    }
    for (int k = 0; k < randomSources.size(); k++) {
      Lowering.RandomSource s = randomSources.get(k);
      // Exactly dev.backplane.ops.Random, the stream every backend reproduces.
      long key = Random.key(s.seed(), (int) iterations, s.salt());
      FloatDataBuffer data = randomData.get(k);
      int n = (int) data.size();
      for (int i = 0; i < n; i++) {
        scratch[i] = Random.uniform(key, i);
      }
      data.write(scratch, 0, n);
    }
  }

  /** Runs the step; the caller closes the result. */
  Result run() {
    return runner.run();
  }

  @Override
  public void close() {
    closeAll(x, y, iteration);
    randoms.forEach(TFloat32::close);
  }

  private static void closeAll(org.tensorflow.Tensor... tensors) {
    for (org.tensorflow.Tensor t : tensors) {
      if (t != null) {
        t.close();
      }
    }
  }
}
