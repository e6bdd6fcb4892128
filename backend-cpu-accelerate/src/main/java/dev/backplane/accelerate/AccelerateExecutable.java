package dev.backplane.accelerate;

import dev.backplane.Device;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model compiled by the accelerate backend. Training and evaluation reuse one {@link Pass}
 * sized to the largest batch seen (grown once when a larger batch arrives), so a steady-state
 * {@link #trainStep} allocates nothing. Each {@link #predict} call takes a pass of its own from
 * {@link PredictPasses} and only reads the weights, so predictions may run concurrently.
 */
final class AccelerateExecutable implements Executable {
  /** Rows per chunk of a prediction, bounding its scratch memory. */
  static final int PREDICT_CHUNK = 1024;

  private final Device device;
  private final ModelSpec spec;
  private final Plan plan;
  private final Op[] ops;
  private final Parameter[] parameters;
  private final LossKernel loss;
  private final Updater updater;
  private final int inputSize;
  private final int outputSize;
  private final int labelSize;
  private final Runnable onClose;
  private final ComputePool pool;
  private final PredictPasses predictPasses;
  /** {@link #predict} calls in progress. */
  private final AtomicInteger predicting = new AtomicInteger();
  private Pass pass;
  private long iterations;
  private volatile boolean closed;

  AccelerateExecutable(Device device, ModelSpec spec, Plan plan, ComputePool pool,
      Runnable onClose) {
    this.device = device;
    this.spec = spec;
    this.plan = plan;
    this.ops = plan.ops;
    this.parameters = plan.parameters;
    this.loss = plan.loss;
    this.inputSize = spec.inputSize();
    this.outputSize = spec.outputSize();
    this.labelSize = loss.labelSize();
    this.updater = new Updater(OptimizerKernel.of(spec.optimizer()), parameters, pool);
    this.onClose = onClose;
    this.pool = pool;
    this.predictPasses = new PredictPasses(PREDICT_CHUNK,
        capacity -> new Pass(plan.engine, pool, ops, inputSize, capacity, false));
    load(spec.initialState());
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double trainStep(Tensor x, Tensor y, float[] outputs) {
    int n = checkBatch(x, y, outputs);
    Pass p = trainingPass(n);
    p.input.write(n, x.data(), x.offset());
    for (Op op : ops) {
      op.forward(p, p.inputOf(op.index), n, true, iterations);
    }
    double sum = loss(p, y, n, outputs, true);
    int last = ops.length - 1;
    for (int i = last; i >= plan.firstTrainable; i--) {
      Mat dIn = i > plan.firstTrainable ? p.grad[i - 1] : null;
      ops[i].backward(p, p.inputOf(i), n, i == last && loss.fused(), dIn);
    }
    updater.step(iterations);
    iterations++;
    return sum;
  }

  @Override
  public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    int n = checkBatch(x, y, outputs);
    Pass p = trainingPass(n);
    p.input.write(n, x.data(), x.offset());
    for (Op op : ops) {
      op.forward(p, p.inputOf(op.index), n, false, iterations);
    }
    return loss(p, y, n, outputs, false);
  }

  @Override
  public void predict(Tensor x, float[] outputs) {
    ensureOpen();
    int n = checkInput(x);
    checkOutputs(outputs, n);
    if (n == 0) {
      return;
    }
    // Two or more callers at once keep the cores busy themselves: each runs on its own thread
    // rather than all of them plus the pool's workers contending for the cores.
    boolean crowded = predicting.incrementAndGet() > 1;
    if (crowded) {
      pool.beginSolo();
    }
    try {
      Pass p = predictPasses.acquire(n);
      try {
        for (int start = 0; start < n; start += p.capacity) {
          int rows = Math.min(p.capacity, n - start);
          p.input.write(rows, x.data(), x.offset() + start * inputSize);
          for (Op op : ops) {
            op.forward(p, p.inputOf(op.index), rows, false, iterations);
          }
          p.output().read(rows, outputs, start * outputSize);
        }
      } finally {
        predictPasses.release(p);
      }
    } finally {
      if (crowded) {
        pool.endSolo();
      }
      predicting.decrementAndGet();
    }
  }

  private double loss(Pass p, Tensor y, int n, float[] outputs, boolean training) {
    Mat out = p.output();
    Mat grad = training && ops.length > 0 ? p.grad[ops.length - 1] : null;
    float scale = (float) (1.0 / n);
    float[] labels = y.data();
    int base = y.offset();
    double sum = 0;
    for (int r = 0; r < n; r++) {
      float[] o = out.row(r, p.s0);
      float[] g = grad == null ? null : grad.target(r, p.s1);
      sum += loss.evaluate(o, labels, base + r * labelSize, r, scale, g);
      if (g != null) {
        grad.commit(r, g);
      }
      System.arraycopy(o, 0, outputs, r * outputSize, outputSize);
    }
    return sum;
  }

  private Pass trainingPass(int n) {
    if (pass == null || pass.capacity < n) {
      if (pass != null) {
        pass.close();
      }
      pass = new Pass(plan.engine, pool, ops, inputSize, n, true);
    }
    return pass;
  }

  private int checkBatch(Tensor x, Tensor y, float[] outputs) {
    ensureOpen();
    int n = checkInput(x);
    if (n == 0) {
      throw new IllegalArgumentException("A training or evaluation batch needs at least one"
          + " sample; x has shape " + java.util.Arrays.toString(x.shape()));
    }
    if (y.rows() != n || y.rowSize() != labelSize) {
      throw new IllegalArgumentException("Labels y have shape "
          + java.util.Arrays.toString(y.shape()) + " but the batch has " + n + " samples and "
          + spec.loss() + " expects " + labelSize + " label value(s) per sample");
    }
    checkOutputs(outputs, n);
    return n;
  }

  private int checkInput(Tensor x) {
    int n = x.rows();
    if (n > 0 && x.rowSize() != inputSize) {
      throw new IllegalArgumentException("Input x has shape " + java.util.Arrays.toString(
          x.shape()) + " but model '" + spec.name() + "' expects " + inputSize
          + " values per sample (input shape " + java.util.Arrays.toString(spec.inputShape())
          + ")");
    }
    return n;
  }

  private void checkOutputs(float[] outputs, int n) {
    if (outputs.length < (long) n * outputSize) {
      throw new IllegalArgumentException("outputs has " + outputs.length + " values but " + n
          + " samples of " + outputSize + " outputs need " + (long) n * outputSize);
    }
  }

  @Override
  public ModelState snapshot() {
    ensureOpen();
    List<String> slotNames = spec.optimizer().slotNames();
    List<NamedArray> params = new ArrayList<>(parameters.length);
    List<NamedArray> slots = new ArrayList<>(parameters.length * slotNames.size());
    for (Parameter p : parameters) {
      params.add(p.save());
      for (int s = 0; s < slotNames.size(); s++) {
        slots.add(p.saveSlot(s, slotNames.get(s)));
      }
    }
    return new ModelState(params, slots, iterations);
  }

  @Override
  public void restore(ModelState state) {
    ensureOpen();
    load(state);
  }

  private void load(ModelState state) {
    spec.checkCompatible(state);
    int slotCount = spec.optimizer().slotNames().size();
    for (int i = 0; i < parameters.length; i++) {
      Parameter p = parameters[i];
      p.load(state.parameters().get(i));
      for (int s = 0; s < slotCount; s++) {
        p.loadSlot(s, state.slots().get(i * slotCount + s));
      }
    }
    iterations = state.iterations();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Model '" + spec.name() + "' on " + device
          + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (pass != null) {
      pass.close();
      pass = null;
    }
    predictPasses.close();
    plan.close();
    onClose.run();
  }
}
