package dev.backplane.conformance.javaref;

import dev.backplane.Device;
import dev.backplane.model.Shapes;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The test backend's executable: the api's float64 {@link InterpreterExecutable} on the spec's
 * programs, with the injected {@link Fault}s applied around it (a rewritten spec, see
 * {@link Faults}, or a changed snapshot). It shares no kernel with any backend.
 */
final class JavaRefExecutable implements Executable {
  private final ModelSpec spec;
  private final ModelSpec running;
  private final Device device;
  private final Set<Fault> faults;
  private final List<ModelState> shared = new ArrayList<>();
  private InterpreterExecutable delegate;

  JavaRefExecutable(ModelSpec spec, Device device, Set<Fault> faults) {
    this.spec = spec;
    this.device = device;
    this.faults = faults;
    this.running = Faults.rewrite(spec, faults);
    this.delegate = new InterpreterExecutable(running, device);
  }

  @Override
  public Device device() {
    return device;
  }

  private void checkInput(Tensor x) {
    if (x.rowSize() != spec.inputSize()) {
      throw new IllegalArgumentException("Layer '" + spec.layers().get(0).name() + "' expects"
          + " input of shape " + Shapes.withBatch(spec.inputShape()) + " (" + spec.inputSize()
          + " values per sample), got " + x.rowSize() + " values per sample");
    }
  }

  @Override
  public synchronized double trainStep(Tensor x, Tensor y, float[] outputs) {
    checkInput(x);
    if (faults.contains(Fault.ADAM_NO_BIAS_CORRECTION) && running.optimizer() instanceof Adam a) {
      ModelState state = delegate.snapshot();
      InterpreterExecutable next = new InterpreterExecutable(Faults.respec(running,
          running.layers(), Faults.withoutBiasCorrection(a, state.iterations() + 1),
          running.seed()), device);
      next.restore(state);
      delegate.close();
      delegate = next;
    }
    double loss = delegate.trainStep(x, y, outputs);
    if (!shared.isEmpty()) {
      ModelState now = delegate.snapshot();
      for (ModelState s : shared) {
        copyInto(now.parameters(), s.parameters());
        copyInto(now.variables(), s.variables());
        copyInto(now.slots(), s.slots());
      }
    }
    return loss;
  }

  private static void copyInto(List<NamedArray> from, List<NamedArray> to) {
    for (int i = 0; i < from.size(); i++) {
      float[] src = from.get(i).values();
      System.arraycopy(src, 0, to.get(i).values(), 0, src.length);
    }
  }

  @Override
  public synchronized double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    checkInput(x);
    return delegate.evaluateStep(x, y, outputs);
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    checkInput(x);
    InterpreterExecutable d;
    synchronized (this) {
      d = delegate;
    }
    d.predict(x, outputs);
  }

  @Override
  public synchronized ModelState snapshot() {
    ModelState s = delegate.snapshot();
    if (faults.contains(Fault.SNAPSHOT_DROPS_ITERATIONS)) {
      s = new ModelState(s.parameters(), s.variables(), s.slots(), 0);
    }
    if (faults.contains(Fault.SNAPSHOT_SHARES_ARRAYS)) {
      shared.add(s);
    }
    return s;
  }

  @Override
  public synchronized void restore(ModelState state) {
    delegate.restore(state);
    shared.clear();
  }

  @Override
  public synchronized void close() {
    delegate.close();
    shared.clear();
  }
}
