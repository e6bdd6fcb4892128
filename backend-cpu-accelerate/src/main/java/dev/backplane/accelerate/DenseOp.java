package dev.backplane.accelerate;

import dev.backplane.model.Activation;

/**
 * Keras {@code Dense}: {@code a = f(x · K + b)} with the kernel {@code K} shaped
 * {@code (inputs, units)}. Forward is one product plus a row pass (bias, activation); backward is
 * a row pass (activation derivative, bias gradient) plus {@code dK = xᵀ · dz} and, unless this is
 * the first trainable layer, {@code dx = dz · Kᵀ}.
 */
final class DenseOp extends Op {
  private final Activation activation;
  private final Parameter kernel;
  private final Parameter bias;
  private final Parameter[] parameters;
  private final PassRunner.RangeWork forwardRows;
  private final PassRunner.RangeWork activationBackwardRows;
  private final PassRunner.RangeWork biasGradientColumns;

  /**
   * @param kernel the {@code (inSize, outSize)} kernel
   * @param bias the bias (one row of {@code outSize}), or {@code null}
   */
  DenseOp(int index, int layerIndex, String name, int inSize, int outSize, Activation activation,
      Parameter kernel, Parameter bias) {
    super(index, layerIndex, name, inSize, outSize);
    this.activation = activation;
    this.kernel = kernel;
    this.bias = bias;
    this.parameters = bias == null ? new Parameter[] {kernel} : new Parameter[] {kernel, bias};
    this.forwardRows = this::forwardRows;
    this.activationBackwardRows = this::activationBackwardRows;
    this.biasGradientColumns = this::biasGradientColumns;
  }

  /** The activation this layer ends with. */
  Activation activation() {
    return activation;
  }

  @Override
  Parameter[] parameters() {
    return parameters;
  }

  @Override
  boolean needsPreActivation() {
    return activation != Activation.LINEAR;
  }

  @Override
  void forward(Pass pass, Mat in, int n, boolean training, long iteration) {
    Mat z = activation == Activation.LINEAR ? pass.out[index] : pass.pre[index];
    pass.multiplier.multiply(false, false, n, outSize, inSize, in, kernel.value, z, false);
    if (bias != null || activation != Activation.LINEAR) {
      pass.runner.run(forwardRows, n, (long) n * outSize * Activations.cost(activation));
    }
  }

  /** Rows {@code [from, to)} of {@code a = f(z + b)}, from the product in {@code z}. */
  private void forwardRows(Pass pass, int from, int to, int worker) {
    Mat out = pass.out[index];
    Mat z = activation == Activation.LINEAR ? out : pass.pre[index];
    float[] b = bias == null ? null : ((HeapMat) bias.value).data[0];
    // Off-heap, the biased pre-activation is written back only where backward reads it.
    boolean keepZ = z == out || Activations.derivativeNeedsInput(activation);
    float[] zs = pass.scratch(worker, 0);
    float[] as = pass.scratch(worker, 1);
    for (int r = from; r < to; r++) {
      float[] zr = z.row(r, zs);
      if (b != null) {
        for (int j = 0; j < outSize; j++) {
          zr[j] += b[j];
        }
      }
      if (keepZ) {
        z.commit(r, zr);
      }
      if (z != out) {
        float[] ar = out.target(r, as);
        Activations.forward(activation, zr, ar, outSize);
        out.commit(r, ar);
      }
    }
  }

  @Override
  void backward(Pass pass, Mat in, int n, boolean gradIsPreActivation, Mat dIn) {
    if (!gradIsPreActivation && activation != Activation.LINEAR) {
      pass.runner.run(activationBackwardRows, n,
          (long) n * outSize * Activations.cost(activation));
    }
    if (bias != null) {
      pass.batch = n;
      pass.runner.run(biasGradientColumns, outSize, (long) n * outSize);
    }
    Mat g = pass.grad[index];
    pass.multiplier.multiply(true, false, inSize, outSize, n, in, g, kernel.grad, false);
    if (dIn != null) {
      pass.multiplier.multiply(false, true, n, inSize, outSize, g, kernel.value, dIn, false);
    }
  }

  /** Rows {@code [from, to)} of the gradient turned from {@code dL/da} into {@code dL/dz}. */
  private void activationBackwardRows(Pass pass, int from, int to, int worker) {
    Mat g = pass.grad[index];
    boolean needZ = Activations.derivativeNeedsInput(activation);
    float[] gs = pass.scratch(worker, 0);
    float[] zs = pass.scratch(worker, 1);
    float[] as = pass.scratch(worker, 2);
    for (int r = from; r < to; r++) {
      float[] gr = g.row(r, gs);
      float[] zr = needZ ? pass.pre[index].row(r, zs) : null;
      float[] ar = pass.out[index].row(r, as);
      Activations.backward(activation, zr, ar, gr, outSize);
      g.commit(r, gr);
    }
  }

  /**
   * Columns {@code [from, to)} of the bias gradient, the column sums of {@code dL/dz} over the
   * batch's {@link Pass#batch} rows. Cut by columns, each sum runs over the rows in order on one
   * thread, so the result does not depend on the split.
   */
  private void biasGradientColumns(Pass pass, int from, int to, int worker) {
    Mat g = pass.grad[index];
    float[] db = ((HeapMat) bias.grad).data[0];
    java.util.Arrays.fill(db, from, to, 0f);
    float[] gs = pass.scratch(worker, 0);
    int n = pass.batch;
    for (int r = 0; r < n; r++) {
      float[] gr = g.rowRange(r, from, to, gs);
      for (int j = from; j < to; j++) {
        db[j] += gr[j];
      }
    }
  }
}
