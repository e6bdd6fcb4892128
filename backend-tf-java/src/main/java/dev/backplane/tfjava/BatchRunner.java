package dev.backplane.tfjava;

import dev.backplane.tensor.Tensor;
import java.util.function.Function;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * A prepared {@link Session.Runner} for one batch size: its input tensors stay allocated and are
 * overwritten for every batch, and its feeds, fetches and target are set once.
 */
final class BatchRunner implements AutoCloseable {
  final int rows;
  private final TFloat32 x;
  private final TFloat32 y;
  private final FloatDataBuffer xData;
  private final FloatDataBuffer yData;
  private final Session.Runner runner;

  /**
   * @param rows the batch size
   * @param xShape per-row input shape
   * @param yPerRow labels per row, or 0 when the run takes no labels
   * @param prepare adds fetches and targets to a runner already fed with the two tensors
   */
  BatchRunner(Session session, ModelGraph graph, int rows, long[] xShape, int yPerRow,
      Function<Session.Runner, Session.Runner> prepare) {
    this.rows = rows;
    long[] shape = new long[xShape.length + 1];
    shape[0] = rows;
    System.arraycopy(xShape, 0, shape, 1, xShape.length);
    x = TFloat32.tensorOf(Shape.of(shape));
    xData = x.asRawTensor().data().asFloats();
    Session.Runner r = session.runner().feed(graph.x, x);
    if (yPerRow > 0) {
      y = TFloat32.tensorOf(Shape.of(rows, yPerRow));
      yData = y.asRawTensor().data().asFloats();
      r = r.feed(graph.y, y);
    } else {
      y = null;
      yData = null;
    }
    runner = prepare.apply(r);
  }

  /** Copies a batch into the input tensors. */
  void load(Tensor hostX, Tensor hostY) {
    xData.write(hostX.data(), hostX.offset(), hostX.size());
    if (yData != null) {
      yData.write(hostY.data(), hostY.offset(), hostY.size());
    }
  }

  /** Runs the step; the caller closes the result. */
  Result run() {
    return runner.run();
  }

  @Override
  public void close() {
    x.close();
    if (y != null) {
      y.close();
    }
  }
}
