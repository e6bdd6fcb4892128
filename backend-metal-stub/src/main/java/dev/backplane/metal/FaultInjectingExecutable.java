package dev.backplane.metal;

import dev.backplane.BackendException;
import dev.backplane.Device;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A decorator around a reference CPU executable that reports itself as {@code metal:gpu:0} and
 * injects the simulated fault into training steps (see {@link SimulationMode}). Snapshots and
 * restores pass through, so the fault follows the optimizer's iteration count.
 */
final class FaultInjectingExecutable implements Executable {
  private final Executable reference;
  private final Device device;
  private final SimulationMode mode;
  private final CountDownLatch closed = new CountDownLatch(1);
  private long step;

  FaultInjectingExecutable(Executable reference, Device device, SimulationMode mode) {
    this.reference = reference;
    this.device = device;
    this.mode = mode;
    this.step = reference.snapshot().iterations();
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    long s = step;
    double loss;
    if (!mode.hitsStep(s)) {
      loss = reference.trainStep(x, y, outputs);
    } else {
      switch (mode.kind()) {
        case CRASH:
          throw new BackendException(device, "simulated Metal fault (backplane.metal.simulate="
              + mode + "): the device crashed at step " + s, null);
        case HANG:
          awaitClose();
          throw new BackendException(device, "simulated Metal device closed while hung", null);
        case NAN:
          reference.trainStep(x, y, outputs);
          poison(outputs);
          loss = Double.NaN;
          break;
        case DRIFT:
          loss = drift(x, y, outputs);
          break;
        case SLOW:
          pause(mode.delayMillis());
          loss = reference.trainStep(x, y, outputs);
          break;
        default:
          loss = reference.trainStep(x, y, outputs);
      }
    }
    step = s + 1;
    return loss;
  }

  private void poison(float[] outputs) {
    Arrays.fill(outputs, Float.NaN);
    ModelState st = reference.snapshot();
    for (NamedArray p : st.parameters()) {
      Arrays.fill(p.values(), Float.NaN);
    }
    reference.restore(st);
  }

  private double drift(Tensor x, Tensor y, float[] outputs) {
    float scale = (float) (1 + mode.drift());
    ModelState before = reference.snapshot();
    double loss = reference.trainStep(x, y, outputs);
    ModelState after = reference.snapshot();
    List<NamedArray> drifted = new ArrayList<>();
    for (int i = 0; i < after.parameters().size(); i++) {
      float[] b = before.parameters().get(i).values();
      float[] a = after.parameters().get(i).values();
      for (int k = 0; k < a.length; k++) {
        a[k] = b[k] + (a[k] - b[k]) * scale;
      }
      drifted.add(after.parameters().get(i));
    }
    reference.restore(new ModelState(drifted, after.slots(), after.iterations()));
    for (int i = 0; i < outputs.length; i++) {
      outputs[i] *= scale;
    }
    return loss * scale;
  }

  private void awaitClose() {
    while (closed.getCount() > 0) {
      try {
        closed.await();
      } catch (InterruptedException e) {
        // a hung device does not notice; closing it ends the simulation
      }
    }
  }

  private void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException(device, "simulated slow Metal step interrupted", e);
    }
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    inferenceFault("evaluate");
    return reference.evaluateStep(x, y, outputs);
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    inferenceFault("predict");
    reference.predict(x, outputs);
  }

  /** The {@code crash-inference} and {@code hang-inference} modes. */
  private void inferenceFault(String call) {
    if (!mode.inInference()) {
      return;
    }
    if (mode.kind() == SimulationMode.Kind.HANG) {
      awaitClose();
      throw new BackendException(device, "simulated Metal device closed while hung in " + call,
          null);
    }
    throw new BackendException(device, "simulated Metal fault (backplane.metal.simulate=" + mode
        + "): the device crashed in " + call, null);
  }

  @Override
  public ModelState snapshot() {
    return reference.snapshot();
  }

  @Override
  public void restore(ModelState state) {
    reference.restore(state);
    step = state.iterations();
  }

  @Override
  public void close() {
    closed.countDown();
    reference.close();
  }
}
