package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * An executable for testing the api's loop without real kernels. Each output is the row's first
 * input value; the per-sample loss is {@link #lossOfStep} (default: the mean of the row's labels),
 * so tests know exactly what the loop must report. It records every batch it sees and counts
 * iterations in its state.
 */
public class RecordingExecutable implements Executable {
  private final ModelSpec spec;
  private final Device device;
  private ModelState state;
  /** The first input value of every row of every training batch, in order. */
  public final List<float[]> trainBatches = new ArrayList<>();
  /** Overrides the per-sample loss by training step index (0-based), e.g. to inject NaN. */
  public volatile IntToDoubleFunction lossOfStep;
  /** Whether {@link #close()} ran. */
  public volatile boolean closed;

  public RecordingExecutable(ModelSpec spec, Device device) {
    this.spec = spec;
    this.device = device;
    this.state = spec.initialState().copy();
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    int step = (int) state.iterations();
    float[] firsts = new float[x.rows()];
    for (int r = 0; r < x.rows(); r++) {
      firsts[r] = x.get(r * x.rowSize());
    }
    trainBatches.add(firsts);
    double loss = forward(x, y, outputs);
    state = new ModelState(state.parameters(), state.slots(), state.iterations() + 1);
    if (lossOfStep != null) {
      return lossOfStep.applyAsDouble(step) * x.rows();
    }
    return loss;
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    return forward(x, y, outputs);
  }

  private double forward(Tensor x, Tensor y, float[] outputs) {
    int outs = spec.outputSize();
    double loss = 0;
    for (int r = 0; r < x.rows(); r++) {
      for (int j = 0; j < outs; j++) {
        outputs[r * outs + j] = x.get(r * x.rowSize());
      }
      double s = 0;
      for (int j = 0; j < y.rowSize(); j++) {
        s += y.get(r * y.rowSize() + j);
      }
      loss += s / y.rowSize();
    }
    return loss;
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    int outs = spec.outputSize();
    for (int r = 0; r < x.rows(); r++) {
      for (int j = 0; j < outs; j++) {
        outputs[r * outs + j] = x.get(r * x.rowSize());
      }
    }
  }

  @Override
  public ModelState snapshot() {
    return state.copy();
  }

  @Override
  public void restore(ModelState newState) {
    spec.checkCompatible(newState);
    state = newState.copy();
  }

  /** Training steps taken. */
  public long iterations() {
    return state.iterations();
  }

  @Override
  public void close() {
    closed = true;
  }
}
