package dev.backplane.accelerate;

/**
 * The buffers of one batch through a compiled model, for up to {@link #capacity} samples: the
 * input, each op's output (and pre-activation, dropout mask and, for training, output gradient)
 * plus row scratch. Training reuses one pass for every step, so steady-state steps allocate
 * nothing; each prediction call makes its own, which is what makes predictions thread-safe.
 */
final class Pass implements AutoCloseable {
  final int capacity;
  final Mat input;
  final Mat[] out;
  final Mat[] pre;
  final Mat[] grad;
  final HeapMat[] mask;
  /** Row scratch of the calling thread (worker 0), each as wide as the widest layer. */
  final float[] s0;
  final float[] s1;
  final float[] s2;
  /** {@code scratch[worker][i]}: three scratch rows per worker of {@link #runner}. */
  private final float[][][] scratch;
  final MatrixEngine.Multiplier multiplier;
  /** Rows of the batch in flight, for work split by columns rather than rows. */
  int batch;
  /** Splits this pass's element-wise work over the pool. */
  final PassRunner runner;

  /**
   * @param pool the threads element-wise work may be split over, or {@code null}
   * @param training whether to allocate gradients and dropout masks
   */
  Pass(MatrixEngine engine, ComputePool pool, Op[] ops, int inputSize, int capacity,
      boolean training) {
    this.capacity = capacity;
    this.multiplier = engine.newMultiplier();
    this.runner = new PassRunner(pool, this);
    int n = ops.length;
    out = new Mat[n];
    pre = new Mat[n];
    grad = new Mat[n];
    mask = new HeapMat[n];
    int width = inputSize;
    input = engine.allocate(capacity, inputSize);
    for (Op op : ops) {
      int i = op.index;
      out[i] = engine.allocate(capacity, op.outSize);
      if (op.needsPreActivation()) {
        pre[i] = engine.allocate(capacity, op.outSize);
      }
      if (training) {
        grad[i] = engine.allocate(capacity, op.outSize);
        if (op.needsMask()) {
          mask[i] = new HeapMat(capacity, op.outSize);
        }
      }
      width = Math.max(width, op.outSize);
    }
    scratch = new float[PassRunner.workers(pool)][3][width];
    s0 = scratch[0][0];
    s1 = scratch[0][1];
    s2 = scratch[0][2];
  }

  /** Scratch row {@code i} (0 to 2) of {@code worker}. */
  float[] scratch(int worker, int i) {
    return scratch[worker][i];
  }

  /** The model output: the last op's output, or the input for a model of reshapes only. */
  Mat output() {
    return out.length == 0 ? input : out[out.length - 1];
  }

  /** The input of op {@code i}. */
  Mat inputOf(int i) {
    return i == 0 ? input : out[i - 1];
  }

  @Override
  public void close() {
    input.close();
    for (int i = 0; i < out.length; i++) {
      out[i].close();
      if (pre[i] != null) {
        pre[i].close();
      }
      if (grad[i] != null) {
        grad[i].close();
      }
    }
  }
}
