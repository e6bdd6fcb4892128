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
  /** Row scratch, each as wide as the widest layer. */
  final float[] s0;
  final float[] s1;
  final float[] s2;
  final MatrixEngine.Multiplier multiplier;

  /**
   * @param training whether to allocate gradients and dropout masks
   */
  Pass(MatrixEngine engine, Op[] ops, int inputSize, int capacity, boolean training) {
    this.capacity = capacity;
    this.multiplier = engine.newMultiplier();
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
    s0 = new float[width];
    s1 = new float[width];
    s2 = new float[width];
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
