package dev.backplane.accelerate;

import dev.backplane.model.Activation;

/** Keras's {@code Activation} layer: {@code a = f(x)}, row by row. */
final class ActivationOp extends Op {
  private final Activation activation;

  ActivationOp(int index, int layerIndex, String name, int size, Activation activation) {
    super(index, layerIndex, name, size, size);
    this.activation = activation;
  }

  /** The activation applied. */
  Activation activation() {
    return activation;
  }

  @Override
  void forward(Pass pass, Mat in, int n, boolean training, long iteration) {
    Mat out = pass.out[index];
    for (int r = 0; r < n; r++) {
      float[] x = in.row(r, pass.s0);
      float[] a = out.target(r, pass.s1);
      Activations.forward(activation, x, a, outSize);
      out.commit(r, a);
    }
  }

  @Override
  void backward(Pass pass, Mat in, int n, boolean gradIsPreActivation, Mat dIn) {
    if (dIn == null) {
      return;
    }
    Mat g = pass.grad[index];
    boolean needX = Activations.derivativeNeedsInput(activation);
    for (int r = 0; r < n; r++) {
      float[] gr = g.row(r, pass.s0);
      if (!gradIsPreActivation) {
        float[] x = needX ? in.row(r, pass.s1) : null;
        float[] a = pass.out[index].row(r, pass.s2);
        Activations.backward(activation, x, a, gr, outSize);
      }
      dIn.commit(r, gr);
    }
  }
}
