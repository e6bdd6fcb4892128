package dev.backplane.cli.bench;

import dev.backplane.Backplane;
import dev.backplane.DeviceInfo;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.util.List;

/**
 * One of Backplane's backends through the user API, as an application would use it:
 * {@link Sequential#compile}, {@link Sequential#fit} (silent, no shuffling, no metrics beyond the
 * loss) and {@link Sequential#predict}. The fit path includes everything the api does per step
 * (batch gathering, step guards on non-reference devices), which is the point.
 */
public final class BackplaneRunner implements MlpRunner {
  private final BackplaneBackend backend;
  private final int threads;
  private final MlpTask task;
  private final Backplane backplane;
  private final Sequential model;
  private final ModelState initial;
  private final String detail;

  private BackplaneRunner(BackplaneBackend backend, int threads, MlpTask task,
      Backplane backplane, Sequential model) {
    this.backend = backend;
    this.threads = threads;
    this.task = task;
    this.backplane = backplane;
    this.model = model;
    this.initial = model.getState();
    this.detail = detail(backplane, model);
  }

  /**
   * Builds a Backplane for {@code backend} at {@code threads}, and compiles the task's model on
   * it.
   *
   * @throws dev.backplane.BackplaneException if the backend cannot run here
   */
  public static BackplaneRunner open(BackplaneBackend backend, BackplaneConfig base, int threads,
      MlpTask task) {
    Backplane bp = Backplane.builder().config(backend.configure(base, threads)).build();
    Sequential model = task.sequential();
    try {
      model.compile(CompileOptions.builder().optimizer("adam").loss(task.loss()).backplane(bp)
          .seed(task.seed()).build());
      return new BackplaneRunner(backend, threads, task, bp, model);
    } catch (RuntimeException | Error e) {
      model.close();
      bp.close();
      throw e;
    }
  }

  private static String detail(Backplane bp, Sequential model) {
    for (DeviceInfo d : bp.devices()) {
      if (d.device().equals(model.device())) {
        return model.device() + ": " + d.detail();
      }
    }
    return model.device().toString();
  }

  @Override
  public String name() {
    return backend.runnerName();
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public String describe() {
    return detail + "; Sequential.fit/predict; backplane.threads=" + threads;
  }

  /** The compiled model, for callers that time other parts of the api. */
  public Sequential model() {
    return model;
  }

  @Override
  public void reset() {
    model.setState(initial);
  }

  @Override
  public double[] fit(int epochs) {
    History h = model.fit(task.x(), task.y(), FitOptions.builder().epochs(epochs)
        .batchSize(task.batchSize()).shuffle(false).verbose(Verbosity.SILENT).build());
    List<Double> loss = h.get("loss");
    return loss.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Override
  public void predict(float[] x, int rows, float[] out) {
    Tensor in = Tensor.wrap(x, x.length / task.inputs(), task.inputs()).rows(0, rows);
    Tensor result = model.predict(in, Math.max(1, rows));
    System.arraycopy(result.data(), result.offset(), out, 0, rows * task.outputs());
  }

  @Override
  public void close() {
    model.close();
    backplane.close();
  }
}
