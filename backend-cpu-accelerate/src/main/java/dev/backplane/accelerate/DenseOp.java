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
    Mat out = pass.out[index];
    Mat z = activation == Activation.LINEAR ? out : pass.pre[index];
    pass.multiplier.multiply(false, false, n, outSize, inSize, in, kernel.value, z, false);
    float[] b = bias == null ? null : ((HeapMat) bias.value).data[0];
    // Off-heap, the biased pre-activation is written back only where backward reads it.
    boolean keepZ = z == out || Activations.derivativeNeedsInput(activation);
    for (int r = 0; r < n; r++) {
      float[] zr = z.row(r, pass.s0);
      if (b != null) {
        for (int j = 0; j < outSize; j++) {
          zr[j] += b[j];
        }
      }
      if (keepZ) {
        z.commit(r, zr);
      }
      if (z != out) {
        float[] ar = out.target(r, pass.s1);
        Activations.forward(activation, zr, ar, outSize);
        out.commit(r, ar);
      }
    }
  }

  @Override
  void backward(Pass pass, Mat in, int n, boolean gradIsPreActivation, Mat dIn) {
    Mat g = pass.grad[index];
    boolean chain = !gradIsPreActivation && activation != Activation.LINEAR;
    boolean needZ = chain && Activations.derivativeNeedsInput(activation);
    float[] db = bias == null ? null : ((HeapMat) bias.grad).data[0];
    if (db != null) {
      java.util.Arrays.fill(db, 0f);
    }
    if (chain || db != null) {
      for (int r = 0; r < n; r++) {
        float[] gr = g.row(r, pass.s0);
        if (chain) {
          float[] zr = needZ ? pass.pre[index].row(r, pass.s1) : null;
          float[] ar = pass.out[index].row(r, pass.s2);
          Activations.backward(activation, zr, ar, gr, outSize);
          g.commit(r, gr);
        }
        if (db != null) {
          for (int j = 0; j < outSize; j++) {
            db[j] += gr[j];
          }
        }
      }
    }
    pass.multiplier.multiply(true, false, inSize, outSize, n, in, g, kernel.grad, false);
    if (dIn != null) {
      pass.multiplier.multiply(false, true, n, inSize, outSize, g, kernel.value, dIn, false);
    }
  }
}
