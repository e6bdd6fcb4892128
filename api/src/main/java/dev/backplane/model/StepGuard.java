package dev.backplane.model;

import dev.backplane.BackendException;
import dev.backplane.Backplane;
import dev.backplane.Candidate;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.NoBackendException;
import dev.backplane.Placement;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.CoreKeys;
import dev.backplane.internal.BackplaneAccess;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import dev.backplane.trust.DeviceFaultException;
import dev.backplane.trust.Diff;
import dev.backplane.trust.FailoverEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Guards the training steps of one {@code fit} on a device that is not the reference CPU backend.
 *
 * <p>Before the first step, and then before every {@code backplane.guard.snapshot.every}-th
 * step, it copies the device's state (weights, optimizer slots, iteration count) to the host as
 * the last good snapshot, and from then on remembers which rows of the fit's data made up each
 * batch that completed since (the shuffle order and position, not a copy: copying each batch cost
 * TensorFlow's mnist-mlp step about 8%, by evicting its working set from the caches). A replay
 * reads those rows again, so the data must not change while {@code fit} runs. An audited step (every
 * {@code backplane.audit.every} steps) always starts from a fresh snapshot, since the audit needs
 * the state just before it. A step that throws, overruns {@code backplane.step.timeout}, returns
 * a non-finite loss or outputs, or drifts from the reference in an audit is a fault: the snapshot
 * is restored on the fallback device, the recorded batches are replayed there to bring its weights
 * to where the device's were before the faulty step (their losses and outputs were already counted
 * from the device and are discarded), and the faulty batch is re-run there. Finite there: the
 * device is marked unstable, the model moves to the fallback, and the step counts once, on the
 * fallback. Non-finite there too: the model diverged, and training stops as
 * {@link TerminateOnNaN} would. So no completed step is lost or counted twice. In strict mode
 * ({@code backplane.fallback=none}) the replay and the step run on the reference only to diagnose,
 * the device is given back the state from just before the faulty step, and a device fault is
 * raised as a {@link DeviceFaultException}.
 *
 * <p>{@link #create} returns {@code null} for a reference device without an explicit step
 * deadline: the loop then calls the executable directly, with no snapshot, thread or allocation.
 */
final class StepGuard implements AutoCloseable {
  private final Sequential model;
  private final Backplane backplane;
  private final History history;
  private final PrintStream out;
  private final Duration stepTimeout;
  private final boolean timeoutExplicit;
  private final int auditEvery;
  private final double tolerance;
  private final int outputs;
  private final int snapshotEvery;
  private boolean guarded;
  /** The last good snapshot of the guarded device, or {@code null} before the first step. */
  private ModelState base;
  /** How many batches completed on the device since {@link #base}; described by the slots below. */
  private int recorded;
  /** Per recorded batch: the epoch's shuffle order, or {@code null} for rows in data order. */
  private int[][] recordedOrder = new int[0][];
  /** Per recorded batch: its first position in the order (or row), and its row count. */
  private int[] recordedStart = new int[0];
  private int[] recordedRows = new int[0];
  /** The fit's data, which recorded batches are read from again for a replay. */
  private Tensor dataX;
  private Tensor dataY;
  private StepRunner runner;
  private Backend referenceBackend;
  private Executable reference;
  private float[] referenceOut;
  /** The epoch and global step of the last step run, for a take-over between steps. */
  private int lastEpoch;
  private long nextStep;

  private StepGuard(Sequential model, History history, PrintStream out) {
    this.model = model;
    this.backplane = model.backplane();
    this.history = history;
    this.out = out;
    BackplaneConfig config = backplane.config();
    this.stepTimeout = config.get(CoreKeys.STEP_TIMEOUT);
    this.timeoutExplicit = config.isSet(CoreKeys.STEP_TIMEOUT);
    this.auditEvery = config.get(CoreKeys.AUDIT_EVERY);
    this.tolerance = config.get(CoreKeys.TRUST_TOLERANCE);
    this.outputs = Shapes.size(model.outputShape());
    this.snapshotEvery = config.get(CoreKeys.GUARD_SNAPSHOT_EVERY);
    configureFor(model.device());
  }

  /** A guard for this fit, or {@code null} when the model's device needs none. */
  static StepGuard create(Sequential model, History history, PrintStream out) {
    Backplane bp = model.backplane();
    if (!model.failoverPolicy().guards(model.device())
        && !bp.config().isSet(CoreKeys.STEP_TIMEOUT)) {
      return null;
    }
    return new StepGuard(model, history, out);
  }

  private void configureFor(Device device) {
    guarded = model.failoverPolicy().guards(device);
    boolean deadline = (guarded || timeoutExplicit) && !stepTimeout.isZero();
    if (runner != null && !deadline) {
      runner.close();
      runner = null;
    } else if (runner == null && deadline) {
      runner = new StepRunner(stepTimeout);
    }
    if (!guarded) {
      closeReference();
    }
    base = null;
    recorded = 0;
  }

  /** The fit's data; the loop's batches are rows of it. Set before the first step. */
  void data(Tensor x, Tensor y) {
    this.dataX = x;
    this.dataY = y;
  }

  /**
   * One guarded step; the loop counts it once, on whichever device's result is returned.
   *
   * @param order the epoch's shuffle order, whose positions {@code [start, start + rows)} are the
   *     batch's rows of the {@link #data}; {@code null} when the batch is rows {@code [start,
   *     start + rows)} in order. The array must not change until the fit ends.
   */
  double trainStep(Tensor x, Tensor y, float[] out, int rows, int[] order, int start, int epoch,
      int batch, long step) {
    Lock lock = model.stepWriteLock();
    lock.lock();
    try {
      lastEpoch = epoch;
      nextStep = step;
      Executable exe = model.executable();
      if (!guarded) {
        // Nothing can take over from the reference: a step that overruns is waited for and
        // undone, so no abandoned computation changes the state after the exception.
        ModelState before = runner != null ? exe.snapshot() : null;
        try {
          return run(exe, x, y, out);
        } catch (StepRunner.TimedOut t) {
          runner.awaitAbandoned();
          exe.restore(before);
          throw new BackendException(exe.device(), Fault.timedOut(format(stepTimeout))
              .describeAt(exe.device().toString(), step, epoch) + "; " + exe.device()
              + " is the reference CPU backend, so there is nothing to fall back to; the step"
              + " was undone", null);
        }
      }
      boolean audited = auditEvery > 0 && step % auditEvery == 0;
      if (base == null || recorded >= snapshotEvery || audited) {
        ModelState current = base == null ? model.currentHostState() : null;
        base = current != null ? current : exe.snapshot();
        recorded = 0;
      }
      model.stepStarting();
      Fault fault;
      try {
        double loss = run(exe, x, y, out);
        fault = check(loss, out, rows);
        if (fault == null && audited) {
          fault = audit(exe, base, x, y, out, rows, loss);
        }
        if (fault == null) {
          record(order, start, rows);
          nextStep = step + 1;
          return loss;
        }
      } catch (StepRunner.TimedOut t) {
        fault = Fault.timedOut(format(stepTimeout));
      } catch (RuntimeException e) {
        fault = Fault.threw(e);
      }
      return recover(fault, exe, x, y, out, rows, epoch, batch, step);
    } finally {
      lock.unlock();
    }
  }

  private double run(Executable exe, Tensor x, Tensor y, float[] out) {
    return runner == null ? exe.trainStep(x, y, out) : runner.trainStep(exe, x, y, out);
  }

  /** Remembers which rows made up a completed batch, for a replay should a later step fail. */
  private void record(int[] order, int start, int rows) {
    int i = recorded;
    if (i == recordedRows.length) {
      int n = Math.min(snapshotEvery, Math.max(4, 2 * i));
      recordedOrder = Arrays.copyOf(recordedOrder, n);
      recordedStart = Arrays.copyOf(recordedStart, n);
      recordedRows = Arrays.copyOf(recordedRows, n);
    }
    recordedOrder[i] = order;
    recordedStart[i] = start;
    recordedRows[i] = rows;
    recorded = i + 1;
  }

  /** Recorded batch {@code i}, read again from the fit's data. */
  private Tensor[] recordedBatch(int i) {
    int start = recordedStart[i];
    int rows = recordedRows[i];
    int[] order = recordedOrder[i];
    if (order == null) {
      return new Tensor[] {dataX.rows(start, start + rows), dataY.rows(start, start + rows)};
    }
    return new Tensor[] {gather(dataX, order, start, rows), gather(dataY, order, start, rows)};
  }

  private static Tensor gather(Tensor data, int[] order, int start, int rows) {
    int row = data.rowSize();
    float[] values = new float[rows * row];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(data.data(), data.offset() + order[start + r] * row, values, r * row, row);
    }
    int[] shape = data.shape().clone();
    shape[0] = rows;
    return Tensor.wrap(values, shape);
  }

  /** Brings {@code target} to the state the device had before the faulty step. */
  private void replay(Executable target) {
    target.restore(base);
    int rows = 0;
    for (int i = 0; i < recorded; i++) {
      rows = Math.max(rows, recordedRows[i]);
    }
    float[] discarded = recorded == 0 ? null : new float[rows * outputs];
    for (int i = 0; i < recorded; i++) {
      Tensor[] batch = recordedBatch(i);
      target.trainStep(batch[0], batch[1], discarded);
    }
  }

  private Fault check(double loss, float[] out, int rows) {
    boolean lossOk = Double.isFinite(loss);
    return lossOk && Diff.finite(out, rows * outputs) ? null : Fault.nonFinite(loss, lossOk);
  }

  private Fault audit(Executable exe, ModelState before, Tensor x, Tensor y, float[] out,
      int rows, double loss) {
    Executable ref = reference(out.length);
    if (ref == null) {
      return null;
    }
    ref.restore(before);
    double refLoss = ref.trainStep(x, y, referenceOut);
    double dl = Diff.relative(loss, refLoss);
    double dout = Diff.relative(out, referenceOut, rows * outputs);
    double dw = Diff.parameters(exe.snapshot(), ref.snapshot());
    double worst = Math.max(dl, Math.max(dout, dw));
    if (worst <= tolerance) {
      return null;
    }
    String where = worst == dl ? "the loss (" + Fault.loss(loss / rows) + " vs "
        + Fault.loss(refLoss / rows) + ")" : worst == dout ? "the outputs" : "the updated weights";
    return Fault.drifted(where, worst, tolerance, auditEvery);
  }

  private double recover(Fault fault, Executable exe, Tensor x, Tensor y,
      float[] out, int rows, int epoch, int batch, long step) {
    Device device = exe.device();
    dev.backplane.FailoverPolicy policy = model.failoverPolicy();
    boolean strict = !policy.allowsFallback();
    String failed = fault.describeAt(describe(device), step, epoch);
    Executable rerun;
    DeviceInfo target;
    if (strict) {
      rerun = reference(out.length);
      target = rerun == null ? null : new DeviceInfo(rerun.device(), DeviceStatus.READY,
          "the reference CPU kernels");
    } else {
      target = policy.fallbackFor(device).orElse(null);
      rerun = target == null ? null : backplane.compile(model.spec(), target.device());
    }
    if (rerun == null) {
      return passThrough(fault, device, failed);
    }
    double loss;
    ModelState beforeFault = null;
    try {
      replay(rerun);
      if (strict && fault.kind() != Fault.Kind.TIMED_OUT) {
        beforeFault = recorded == 0 ? base : rerun.snapshot();
      }
      loss = rerun.trainStep(x, y, out);
    } catch (RuntimeException e) {
      if (!strict) {
        rerun.close();
      }
      RuntimeException original = fault.cause() != null ? fault.cause()
          : new BackendException(device, failed, null);
      original.addSuppressed(e);
      throw original;
    }
    boolean finite = check(loss, out, rows) == null;
    Device to = target.device();
    if (!finite && !fault.deviceAtFaultRegardless()) {
      if (!strict) {
        rerun.close();
      }
      diverged(device, to, epoch, batch, step);
      return fault.loss();
    }
    String outcome = finite ? to + " gives a finite loss (" + Fault.loss(loss / rows)
        + ") from the same weights" : to + " was given the step instead";
    if (strict) {
      if (fault.kind() != Fault.Kind.TIMED_OUT) {
        exe.restore(beforeFault);
      }
      String reason = failed + "; " + outcome + ", so " + device + " is at fault";
      BackplaneAccess.report(backplane, new FailoverEvent(FailoverEvent.Kind.DEVICE_FAULT, device, null, epoch,
          step, reason));
      throw new DeviceFaultException(device, reason + ". " + policy.strictAdvice(
          "training stops instead of moving to the CPU")
          + (fault.kind() == Fault.Kind.TIMED_OUT ? ". The device never returned: compile the"
              + " model again before using it" : ""), fault.cause());
    }
    String reason = failed + "; " + outcome + ", so " + device + " is marked UNSTABLE and"
        + " training continues on " + to + " from step " + step;
    if (fault.kind() == Fault.Kind.TIMED_OUT) {
      runner.handAbandoned(exe, model);
    }
    model.failover(rerun, amend(model.placement(), device, failed, target,
        "failover at step " + step));
    history.startRun(to, epoch, step, reason);
    BackplaneAccess.report(backplane, new FailoverEvent(FailoverEvent.Kind.FAILOVER, device, to, epoch, step,
        reason));
    configureFor(to);
    if (!finite) {
      diverged(device, to, epoch, batch, step);
    }
    return loss;
  }

  private double passThrough(Fault fault, Device device, String failed) {
    switch (fault.kind()) {
      case NON_FINITE:
        return fault.loss();
      case THREW:
        throw fault.cause();
      default:
        throw new DeviceFaultException(device, failed + ", and there is no device to fall back"
            + " to", fault.cause());
    }
  }

  private void diverged(Device device, Device to, int epoch, int batch, long step) {
    String diagnosis = "the model diverged at step " + step + " (epoch " + (epoch + 1) + "): "
        + to + " also gives a non-finite loss from the same weights, so " + device
        + " is not at fault";
    out.println("Batch " + batch + ": Invalid loss, terminating training (" + diagnosis + ")");
    history.stopped(diagnosis);
    model.stopTraining();
    BackplaneAccess.report(backplane, new FailoverEvent(FailoverEvent.Kind.DIVERGED, device, null, epoch, step,
        diagnosis));
  }

  private String describe(Device device) {
    return describe(backplane, device);
  }

  /** {@code device (detail)}: the device with what its probe said. */
  static String describe(Backplane backplane, Device device) {
    for (DeviceInfo d : backplane.devices()) {
      if (d.device().equals(device)) {
        return device + " (" + d.detail() + ")";
      }
    }
    return device.toString();
  }

  /**
   * Moves the fit to the fallback after an inference call between its steps (validation, or a
   * {@code predict} on another thread) failed on the device: the fallback is brought to the
   * device's state by the same replay as a failed step, and the next step runs there. The caller
   * holds the step write lock.
   *
   * @param failed what the device did, in words
   * @throws DeviceFaultException when nothing may take over (strict mode, no fallback)
   */
  void takeOver(Executable exe, Fault fault, String failed) {
    Device device = exe.device();
    DeviceInfo target = model.fallbackTarget(exe, fault, failed);
    Executable rerun = backplane.compile(model.spec(), target.device());
    try {
      if (base == null) {
        rerun.restore(model.hostState());
      } else {
        replay(rerun);
      }
    } catch (RuntimeException e) {
      rerun.close();
      throw e;
    }
    Device to = target.device();
    String reason = failed + "; " + device + " is marked UNSTABLE and training continues on "
        + to + " from step " + nextStep;
    model.failover(rerun, amend(model.placement(), device, failed, target,
        "failover before step " + nextStep));
    history.startRun(to, lastEpoch, nextStep, reason);
    BackplaneAccess.report(backplane, new FailoverEvent(FailoverEvent.Kind.FAILOVER, device, to, lastEpoch,
        nextStep, reason));
    configureFor(to);
  }

  /** The placement after a failover: the device rejected with the fault, the fallback last. */
  static Placement amend(Placement p, Device failed, String reason, DeviceInfo target,
      String when) {
    List<Candidate> lines = new ArrayList<>();
    for (Candidate c : p.candidates()) {
      if (c.device().equals(failed)) {
        lines.add(new Candidate(c.info().withStatus(DeviceStatus.UNSTABLE, reason),
            Candidate.Verdict.REJECTED, "UNSTABLE: " + reason));
      } else if (!c.device().equals(target.device())) {
        lines.add(c);
      }
    }
    lines.add(new Candidate(target, Candidate.Verdict.FALLBACK, when
        + " (backplane.fallback=cpu); " + target.status() + ": " + target.detail()));
    return new Placement(target, p.preferences(), p.fallback(), lines);
  }

  /** The reference executable for audits and strict diagnosis, or {@code null} if none. */
  private Executable reference(int outLength) {
    if (reference == null) {
      try {
        referenceBackend = backplane.openReference();
      } catch (NoBackendException e) {
        return null;
      }
      Device d = null;
      for (DeviceInfo info : referenceBackend.devices()) {
        if (info.status().usable()) {
          d = info.device();
          break;
        }
      }
      if (d == null) {
        closeReference();
        return null;
      }
      reference = referenceBackend.compile(model.spec(), d);
      referenceOut = new float[outLength];
    }
    return reference;
  }

  /** The model's programs changed (a new learning rate): the audit reference is rebuilt. */
  void programsChanged() {
    closeReference();
  }

  private void closeReference() {
    if (reference != null) {
      reference.close();
      reference = null;
    }
    if (referenceBackend != null) {
      referenceBackend.close();
      referenceBackend = null;
    }
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  @Override
  public void close() {
    if (runner != null) {
      runner.close();
    }
    closeReference();
  }
}
