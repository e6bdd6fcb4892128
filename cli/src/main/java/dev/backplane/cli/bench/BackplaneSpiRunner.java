package dev.backplane.cli.bench;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.Fallback;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Optimizers;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.List;

/**
 * A backend's {@link Executable} driven directly through the SPI, batch views fed in order: the
 * backend's own cost without the api's training loop and step guard. A diagnostic next to
 * {@link BackplaneRunner}, comparable with a hand-written loop over a peer library.
 */
public final class BackplaneSpiRunner implements MlpRunner {
  private final BackplaneBackend backend;
  private final int threads;
  private final MlpTask task;
  private final Backplane backplane;
  private final ModelSpec spec;
  private final Executable exe;
  private final Tensor[] xs;
  private final Tensor[] ys;
  private final float[] out;

  private BackplaneSpiRunner(BackplaneBackend backend, int threads, MlpTask task, Backplane bp,
      ModelSpec spec, Executable exe) {
    this.backend = backend;
    this.threads = threads;
    this.task = task;
    this.backplane = bp;
    this.spec = spec;
    this.exe = exe;
    int n = task.samples();
    int b = task.batchSize();
    int count = (n + b - 1) / b;
    xs = new Tensor[count];
    ys = new Tensor[count];
    for (int i = 0; i < count; i++) {
      int to = Math.min(n, (i + 1) * b);
      xs[i] = task.x().rows(i * b, to);
      ys[i] = task.y().rows(i * b, to);
    }
    out = new float[b * task.outputs()];
  }

  /**
   * Compiles the task's model on {@code backend}'s device at {@code threads}.
   *
   * @throws dev.backplane.BackplaneException if the backend cannot run here
   */
  public static BackplaneSpiRunner open(BackplaneBackend backend, BackplaneConfig base,
      int threads, MlpTask task) {
    Backplane bp = Backplane.builder().config(backend.configure(base, threads)).build();
    try {
      Device device = bp.place(List.of(backend.backendId()), Fallback.NONE).device();
      ModelSpec spec = ModelSpec.create(task.name(), task.inputShape(),
          task.sequential().layers(), Loss.of(task.loss()), Optimizers.of("adam"), task.seed());
      return new BackplaneSpiRunner(backend, threads, task, bp, spec, bp.compile(spec, device));
    } catch (RuntimeException | Error e) {
      bp.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return backend.runnerName() + "-spi";
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public String describe() {
    return exe.device() + " Executable.trainStep/predict fed per batch, no api loop;"
        + " backplane.threads=" + threads;
  }

  @Override
  public void reset() {
    exe.restore(spec.initialState());
  }

  @Override
  public double[] fit(int epochs) {
    double[] losses = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      double sum = 0;
      for (int i = 0; i < xs.length; i++) {
        sum += exe.trainStep(xs[i], ys[i], out);
      }
      losses[e] = sum / task.samples();
    }
    return losses;
  }

  @Override
  public void predict(float[] x, int rows, float[] result) {
    exe.predict(Tensor.wrap(x, x.length / task.inputs(), task.inputs()).rows(0, rows), result);
  }

  @Override
  public void close() {
    exe.close();
    backplane.close();
  }
}
