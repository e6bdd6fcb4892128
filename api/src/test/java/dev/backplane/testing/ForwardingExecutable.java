package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;

/**
 * An executable that forwards every call to another; tests override the calls they watch,
 * slow down or count.
 */
public class ForwardingExecutable implements Executable {
  /** The executable calls go to. */
  protected final Executable inner;

  /** Forwards to {@code inner}. */
  public ForwardingExecutable(Executable inner) {
    this.inner = inner;
  }

  @Override
  public Device device() {
    return inner.device();
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    return inner.trainStep(x, y, outputs);
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    return inner.evaluateStep(x, y, outputs);
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    inner.predict(x, outputs);
  }

  @Override
  public ModelState snapshot() {
    return inner.snapshot();
  }

  @Override
  public void restore(ModelState state) {
    inner.restore(state);
  }

  @Override
  public void close() {
    inner.close();
  }
}
