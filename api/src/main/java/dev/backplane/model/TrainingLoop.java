package dev.backplane.model;

import dev.backplane.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's training loop, run once per {@code fit}: validation split, seeded per-epoch shuffling,
 * batching (views of the data in order, or shuffled rows gathered into reused buffers), one
 * backend step per batch, metrics, callbacks, progress and history. Identical for every backend,
 * which is what makes cross-backend comparison meaningful.
 */
final class TrainingLoop {
  private final Sequential model;
  private final FitOptions opts;
  private final Tensor x;
  private final Tensor y;
  private final Tensor valX;
  private final Tensor valY;
  private final int outputs;
  private final int xRow;
  private final int yRow;

  TrainingLoop(Sequential model, Tensor x, Tensor y, FitOptions opts) {
    this.model = model;
    this.opts = opts;
    this.outputs = Shapes.size(model.outputShape());
    model.checkInput(x, "x");
    DataChecks.checkLabels(y, model.loss(), outputs, x.rows(), "y");
    DataChecks.checkFinite(x, "x");
    if (x.rows() == 0) {
      throw new IllegalArgumentException("fit() got empty data: x has 0 samples");
    }
    if (opts.validationX() != null) {
      model.checkInput(opts.validationX(), "validation x");
      DataChecks.checkFinite(opts.validationX(), "validation x");
      DataChecks.checkLabels(opts.validationY(), model.loss(), outputs,
          opts.validationX().rows(), "validation y");
      this.x = x;
      this.y = y;
      this.valX = opts.validationX();
      this.valY = opts.validationY();
    } else if (opts.validationSplit() > 0) {
      int split = (int) (x.rows() * (1 - opts.validationSplit()));
      if (split == 0 || split == x.rows()) {
        throw new IllegalArgumentException("validation_split=" + opts.validationSplit()
            + " leaves " + split + " of " + x.rows() + " samples for training; choose a split"
            + " that leaves samples on both sides");
      }
      this.x = x.rows(0, split);
      this.y = y.rows(0, split);
      this.valX = x.rows(split, x.rows());
      this.valY = y.rows(split, y.rows());
    } else {
      this.x = x;
      this.y = y;
      this.valX = null;
      this.valY = null;
    }
    this.xRow = x.rowSize();
    this.yRow = y.rowSize();
  }

  History run() {
    int n = x.rows();
    int batch = Math.min(opts.batchSize(), n);
    int steps = (n + batch - 1) / batch;
    float[] out = new float[batch * outputs];
    // Unshuffled batches are consecutive rows: the steps read views of the data, made once,
    // instead of copies. Shuffled batches are gathered into reused buffers.
    boolean shuffle = opts.shuffle();
    Tensor[] xViews = null;
    Tensor[] yViews = null;
    Tensor xFull = null;
    Tensor yFull = null;
    Tensor xTail = null;
    Tensor yTail = null;
    int[] order = null;
    if (shuffle) {
      int[] xShape = x.shape();
      int[] yShape = y.shape();
      xBuffer = new float[batch * xRow];
      yBuffer = new float[batch * yRow];
      xFull = view(xBuffer, xShape, batch, batch);
      yFull = view(yBuffer, yShape, batch, batch);
      int tail = n - (steps - 1) * batch;
      xTail = view(xBuffer, xShape, batch, tail);
      yTail = view(yBuffer, yShape, batch, tail);
      order = new int[n];
    } else {
      xViews = new Tensor[steps];
      yViews = new Tensor[steps];
      for (int step = 0; step < steps; step++) {
        int start = step * batch;
        int end = Math.min(n, start + batch);
        xViews[step] = x.rows(start, end);
        yViews[step] = y.rows(start, end);
      }
    }

    History history = new History();
    history.startRun(model.device(), opts.initialEpoch(), 0, firstRunReason());
    StepGuard guard = StepGuard.create(model, history, opts.output());
    if (guard != null) {
      guard.data(x, y);
    }
    MetricAccumulator acc = new MetricAccumulator(model.resolvedMetrics(), model.metricKeys(),
        outputs);
    Verbosity verbosity = opts.verbosity().resolve(System.console() != null);
    ProgressPrinter progress = new ProgressPrinter(opts.output(), verbosity, opts.epochs());
    boolean batchCallbacks = !opts.callbacks().isEmpty();
    boolean bar = verbosity == Verbosity.PROGRESS_BAR;
    model.output(opts.output());
    model.clearStop();
    for (Callback c : opts.callbacks()) {
      c.onTrainBegin(model);
    }
    Map<String, Double> logs = new LinkedHashMap<>();
    long globalStep = 0;
    try {
      for (int epoch = opts.initialEpoch(); epoch < opts.epochs() && !model.stopRequested();
          epoch++) {
        for (Callback c : opts.callbacks()) {
          c.onEpochBegin(model, epoch);
        }
        progress.epochBegin(epoch, steps);
        if (shuffle) {
          if (guard != null && epoch > opts.initialEpoch()) {
            // The guard keeps the last epoch's order for batches it may yet replay.
            order = new int[n];
          }
          fillOrder(order, epoch);
        }
        acc.reset();
        for (int step = 0; step < steps; step++) {
          int start = step * batch;
          int rows = Math.min(batch, n - start);
          Tensor xb;
          Tensor yb;
          if (shuffle) {
            gather(order, start, rows);
            xb = rows == batch ? xFull : xTail;
            yb = rows == batch ? yFull : yTail;
          } else {
            xb = xViews[step];
            yb = yViews[step];
          }
          double loss = guard == null ? model.trainStep(xb, yb, out)
              : guard.trainStep(xb, yb, out, rows, order, start, epoch, step, globalStep);
          history.countStep();
          globalStep++;
          acc.add(loss, out, yb.data(), yb.offset(), rows);
          // The running logs are a fresh map per batch: built only for callbacks, or for a
          // progress bar that is due a redraw (at most every 50 ms).
          boolean draw = bar && progress.redrawDue(step);
          if (batchCallbacks || draw) {
            Map<String, Double> batchLog = acc.logs("");
            progress.batchEnd(step, batchLog);
            for (Callback c : opts.callbacks()) {
              c.onBatchEnd(model, step, batchLog);
            }
          }
          if (model.stopRequested()) {
            break;
          }
        }
        logs = acc.logs("");
        if (valX != null) {
          logs.putAll(new Evaluator(model, opts.batchSize()).evaluate(valX, valY, "val_"));
        }
        progress.epochEnd(logs);
        history.addEpoch(logs);
        for (Callback c : opts.callbacks()) {
          c.onEpochEnd(model, epoch, Map.copyOf(logs));
        }
      }
      for (Callback c : opts.callbacks()) {
        c.onTrainEnd(model, Map.copyOf(logs));
      }
    } finally {
      model.output(System.out);
      if (guard != null) {
        guard.close();
      }
    }
    return history;
  }

  /** {@code placement}, then any device placement rejected before the chosen one, and why. */
  private String firstRunReason() {
    StringBuilder b = new StringBuilder("placement");
    for (dev.backplane.Candidate c : model.placement().candidates()) {
      if (c.verdict() == dev.backplane.Candidate.Verdict.REJECTED) {
        b.append("; ").append(c.device()).append(" rejected: ").append(c.reason());
      }
    }
    return b.toString();
  }

  /** The first {@code rows} rows of a reused batch buffer holding {@code capacity} rows. */
  private static Tensor view(float[] buffer, int[] shape, int capacity, int rows) {
    int[] s = shape.clone();
    s[0] = capacity;
    return Tensor.wrap(buffer, s).rows(0, rows);
  }

  private void fillOrder(int[] order, int epoch) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (opts.shuffle()) {
      SplittableRandom random = new SplittableRandom(model.seed() * 0x9E3779B97F4A7C15L + epoch);
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
  }

  private float[] xBuffer;
  private float[] yBuffer;

  private void gather(int[] order, int start, int rows) {
    float[] xd = x.data();
    float[] yd = y.data();
    int xOff = x.offset();
    int yOff = y.offset();
    for (int r = 0; r < rows; r++) {
      System.arraycopy(xd, xOff + order[start + r] * xRow, xBuffer, r * xRow, xRow);
    }
    if (yRow == 1) {
      // one label per sample (sparse or binary): a copy call per value costs more than the value
      for (int r = 0; r < rows; r++) {
        yBuffer[r] = yd[yOff + order[start + r]];
      }
    } else {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(yd, yOff + order[start + r] * yRow, yBuffer, r * yRow, yRow);
      }
    }
  }
}
