package dev.backplane.model;

import dev.backplane.config.CoreKeys;
import dev.backplane.data.ArrayDataset;
import dev.backplane.data.Batch;
import dev.backplane.data.Dataset;
import dev.backplane.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's training loop, run once per {@code fit}: validation split, seeded per-epoch shuffling,
 * batching (views of the data in order, or shuffled rows gathered into reused buffers), one
 * backend step per batch, metrics, callbacks, progress and history. Identical for every backend,
 * which is what makes cross-backend comparison meaningful.
 *
 * <p>A row-addressable {@link Dataset} (a memory-mapped file) is trained on with the same
 * batches as the same data in tensors: the same seeded order, its rows read one by one into
 * reused buffers, so the file is never loaded whole. A stream of batches is used in its order.
 * Under a step guard, the batches since its last snapshot must be replayable: dataset batches
 * go through a ring of {@code backplane.guard.snapshot.every + 2} batch slots, which the guard
 * reads as its data.
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
  /** The training samples when fitting a {@link Dataset}; {@code null} for tensors. */
  private final Dataset data;
  /** Validation samples of a dataset's validation split, else {@code null}. */
  private final Dataset valData;
  /** Samples per block of a dataset's up-front checks. */
  private static final int CHECK_VALUES = 1 << 18;

  /** A fit on a dataset that is not in-memory tensors (those take the tensor constructor). */
  TrainingLoop(Sequential model, Dataset dataset, FitOptions opts) {
    this.model = model;
    this.opts = opts;
    this.outputs = Shapes.size(model.outputShape());
    this.x = null;
    this.y = null;
    checkFeatures(model, dataset, "x");
    if (dataset.labelSize() == 0) {
      throw new IllegalArgumentException("fit() needs labels but the dataset " + dataset
          + " has none");
    }
    this.xRow = dataset.featureSize();
    this.yRow = dataset.labelSize();
    Dataset train = dataset;
    Dataset val = null;
    if (dataset.randomAccess()) {
      int n = dataset.size();
      if (n == 0) {
        throw new IllegalArgumentException("fit() got empty data: x has 0 samples");
      }
      checkRows(model, dataset, "x", "y");
      if (opts.validationSplit() > 0 && opts.validationX() == null) {
        int split = (int) (n * (1 - opts.validationSplit()));
        if (split == 0 || split == n) {
          throw new IllegalArgumentException("validation_split=" + opts.validationSplit()
              + " leaves " + split + " of " + n + " samples for training; choose a split"
              + " that leaves samples on both sides");
        }
        train = dataset.rows(0, split);
        val = dataset.rows(split, n);
      }
    } else if (opts.validationSplit() > 0) {
      throw new IllegalArgumentException("validation_split is only supported for tensors and"
          + " row-addressable datasets, not a stream of batches; pass validation data instead");
    }
    if (opts.validationX() != null) {
      model.checkInput(opts.validationX(), "validation x");
      DataChecks.checkFinite(opts.validationX(), "validation x");
      DataChecks.checkLabels(opts.validationY(), model.labelLoss(), outputs,
          opts.validationX().rows(), "validation y");
    }
    this.data = train;
    this.valData = val;
    this.valX = opts.validationX();
    this.valY = opts.validationY();
  }

  TrainingLoop(Sequential model, Tensor x, Tensor y, FitOptions opts) {
    this.model = model;
    this.opts = opts;
    this.outputs = Shapes.size(model.outputShape());
    model.checkInput(x, "x");
    DataChecks.checkLabels(y, model.labelLoss(), outputs, x.rows(), "y");
    DataChecks.checkFinite(x, "x");
    if (x.rows() == 0) {
      throw new IllegalArgumentException("fit() got empty data: x has 0 samples");
    }
    if (opts.validationX() != null) {
      model.checkInput(opts.validationX(), "validation x");
      DataChecks.checkFinite(opts.validationX(), "validation x");
      DataChecks.checkLabels(opts.validationY(), model.labelLoss(), outputs,
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
    this.data = null;
    this.valData = null;
  }

  History run() {
    History history = new History();
    model.output(opts.output());
    model.clearStop();
    model.beginFitCallbacks();
    // Callbacks start first: BackupAndRestore may restore the state and move the first epoch,
    // a learning-rate callback may change the rate, before the guard snapshots anything.
    for (Callback c : opts.callbacks()) {
      c.onTrainBegin(model);
    }
    int start = model.resumeEpoch(opts.initialEpoch());
    history.startRun(model.device(), start, 0, firstRunReason());
    StepGuard guard = StepGuard.create(model, history, opts.output());
    Feed feed = data == null ? new TensorFeed(guard)
        : data.randomAccess() ? new RowFeed(guard) : new StreamFeed(guard);
    MetricAccumulator acc = model.newAccumulator();
    Verbosity verbosity = opts.verbosity().resolve(System.console() != null);
    ProgressPrinter progress = new ProgressPrinter(opts.output(), verbosity, opts.epochs(),
        model.backplane()::nanoTime);
    boolean batchCallbacks = !opts.callbacks().isEmpty();
    boolean bar = verbosity == Verbosity.PROGRESS_BAR;
    model.activeGuard(guard);
    history.params(verbosity, opts.epochs(), feed.steps());
    Map<String, Double> logs = new LinkedHashMap<>();
    long globalStep = 0;
    RuntimeException failed = null;
    dev.backplane.spi.ModelSpec compiled = model.spec();
    try {
      for (int epoch = start; epoch < opts.epochs() && !model.stopRequested();
          epoch++) {
        for (Callback c : opts.callbacks()) {
          c.onEpochBegin(model, epoch);
        }
        if (model.spec() != compiled) {
          // a callback changed the programs (the learning rate): audits compile them afresh
          compiled = model.spec();
          if (guard != null) {
            guard.programsChanged();
          }
        }
        feed.epoch(epoch, guard != null && epoch > start);
        progress.epochBegin(epoch, Math.max(0, feed.steps()));
        acc.reset();
        for (int step = 0; feed.next(step); step++) {
          int rows = feed.rows;
          Tensor xb = feed.xb;
          Tensor yb = feed.yb;
          float[] out = feed.out;
          double loss = guard == null ? model.trainStep(xb, yb, out)
              : guard.trainStep(xb, yb, out, rows, feed.order, feed.start, epoch, step,
                  globalStep);
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
        } else if (valData != null) {
          logs.putAll(evaluate(model, valData, opts.batchSize(), "val_"));
        }
        if (model.logsLearningRate()) {
          // as Keras's learning-rate callbacks log the rate the epoch ran with
          logs.put("learning_rate", (double) (float) model.learningRate());
        }
        progress.epochEnd(logs);
        history.addEpoch(epoch, logs);
        for (Callback c : opts.callbacks()) {
          c.onEpochEnd(model, epoch, Map.copyOf(logs));
        }
      }
      for (Callback c : opts.callbacks()) {
        c.onTrainEnd(model, Map.copyOf(logs));
      }
    } catch (dev.backplane.BackendException e) {
      // The device may never answer again: its state is not read back.
      failed = e;
      throw e;
    } finally {
      model.output(System.out);
      model.activeGuard(null);
      if (guard != null) {
        guard.close();
      }
      if (failed == null) {
        model.fitEnded();
      }
    }
    return history;
  }

  /**
   * The batches of one fit. {@link #next} loads batch {@code step} of the epoch into
   * {@link #xb}/{@link #yb} ({@link #rows} rows) and says where the guard can read it again:
   * positions {@code [start, start + rows)} of {@link #order}, or rows {@code [start, start +
   * rows)} of the guard's data when {@code order} is {@code null}.
   */
  private abstract class Feed {
    Tensor xb;
    Tensor yb;
    int rows;
    int[] order;
    int start;
    float[] out;

    /** Steps of the coming epoch, or -1 when unknown. */
    abstract int steps();

    /** Prepares an epoch; {@code fresh}: the guard may still replay from the last one's order. */
    abstract void epoch(int epoch, boolean fresh);

    abstract boolean next(int step);
  }

  /** In-memory tensors: views in data order, or shuffled rows gathered into reused buffers. */
  private final class TensorFeed extends Feed {
    private final int n = x.rows();
    private final int batch = Math.min(opts.batchSize(), n);
    private final int steps = (n + batch - 1) / batch;
    private final boolean shuffle = opts.shuffle();
    private final Tensor[] xViews;
    private final Tensor[] yViews;
    private Tensor xFull;
    private Tensor yFull;
    private Tensor xTail;
    private Tensor yTail;
    private int[] epochOrder;

    TensorFeed(StepGuard guard) {
      out = new float[batch * outputs];
      // Unshuffled batches are consecutive rows: the steps read views of the data, made once,
      // instead of copies. Shuffled batches are gathered into reused buffers.
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
        epochOrder = new int[n];
        xViews = null;
        yViews = null;
      } else {
        xViews = new Tensor[steps];
        yViews = new Tensor[steps];
        for (int step = 0; step < steps; step++) {
          int begin = step * batch;
          int end = Math.min(n, begin + batch);
          xViews[step] = x.rows(begin, end);
          yViews[step] = y.rows(begin, end);
        }
      }
      if (guard != null) {
        guard.data(x, y);
      }
    }

    @Override
    int steps() {
      return steps;
    }

    @Override
    void epoch(int epoch, boolean fresh) {
      if (shuffle) {
        if (fresh) {
          // The guard keeps the last epoch's order for batches it may yet replay.
          epochOrder = new int[n];
        }
        fillOrder(epochOrder, epoch);
      }
    }

    @Override
    boolean next(int step) {
      if (step >= steps) {
        return false;
      }
      start = step * batch;
      rows = Math.min(batch, n - start);
      if (shuffle) {
        gather(epochOrder, start, rows);
        xb = rows == batch ? xFull : xTail;
        yb = rows == batch ? yFull : yTail;
        order = epochOrder;
      } else {
        xb = xViews[step];
        yb = yViews[step];
        order = null;
      }
      return true;
    }
  }

  /**
   * Batch slots the guard reads its replays from: one without a guard, else enough that no
   * batch since the guard's last snapshot is overwritten before the snapshot after it.
   */
  private int ringSlots(StepGuard guard, int stepsPerEpoch) {
    if (guard == null) {
      return 1;
    }
    long snapshot = model.backplane().config().get(CoreKeys.GUARD_SNAPSHOT_EVERY) + 2L;
    long total = stepsPerEpoch < 0 ? snapshot
        : (long) stepsPerEpoch * Math.max(1, opts.epochs() - opts.initialEpoch()) + 1;
    return (int) Math.min(snapshot, total);
  }

  /** A row-addressable dataset: the tensor path's order, rows read into a ring of slots. */
  private final class RowFeed extends Feed {
    private final int n = data.size();
    private final int batch = Math.min(opts.batchSize(), n);
    private final int steps = (n + batch - 1) / batch;
    private final int[] epochOrder = new int[n];
    private final float[] ringX;
    private final float[] ringY;
    private final Tensor ringXs;
    private final Tensor ringYs;
    private final int slots;
    private int slot;

    RowFeed(StepGuard guard) {
      slots = ringSlots(guard, steps);
      out = new float[batch * outputs];
      ringX = new float[Math.multiplyExact(slots * batch, xRow)];
      ringY = new float[Math.multiplyExact(slots * batch, yRow)];
      ringXs = Tensor.wrap(ringX, batched(slots * batch, data.featureShape()));
      ringYs = Tensor.wrap(ringY, slots * batch, yRow);
      if (guard != null) {
        guard.data(ringXs, ringYs);
      }
    }

    @Override
    int steps() {
      return steps;
    }

    @Override
    void epoch(int epoch, boolean fresh) {
      fillOrder(epochOrder, epoch);
    }

    @Override
    boolean next(int step) {
      if (step >= steps) {
        return false;
      }
      int first = step * batch;
      rows = Math.min(batch, n - first);
      start = slot * batch;
      slot = (slot + 1) % slots;
      for (int r = 0; r < rows; r++) {
        data.read(epochOrder[first + r], ringX, (start + r) * xRow, ringY, (start + r) * yRow);
      }
      xb = ringXs.rows(start, start + rows);
      yb = ringYs.rows(start, start + rows);
      order = null;
      return true;
    }
  }

  /** A stream of batches, in its order; copied into a ring only when a guard may replay. */
  private final class StreamFeed extends Feed {
    private final StepGuard guard;
    private Iterator<Batch> batches;
    private int lastSteps = -1;
    private int epochSteps;
    private int epoch;
    private float[] ringX;
    private float[] ringY;
    private Tensor ringXs;
    private Tensor ringYs;
    private int capacity;
    private int slots;
    private int slot;

    StreamFeed(StepGuard guard) {
      this.guard = guard;
      out = new float[0];
    }

    @Override
    int steps() {
      return lastSteps;
    }

    @Override
    void epoch(int epoch, boolean fresh) {
      if (batches != null) {
        lastSteps = epochSteps;
      }
      batches = data.batches();
      epochSteps = 0;
      this.epoch = epoch;
    }

    @Override
    boolean next(int step) {
      if (!batches.hasNext()) {
        if (step == 0) {
          throw new IllegalArgumentException("fit() got empty data: the stream of batches gave"
              + " no batch in epoch " + (epoch + 1));
        }
        return false;
      }
      Batch b = batches.next();
      Tensor[] checked = checkBatch(model, b, data, outputs, step, true);
      rows = checked[0].rows();
      epochSteps++;
      if (out.length < rows * outputs) {
        out = new float[rows * outputs];
      }
      order = null;
      if (guard == null) {
        xb = checked[0];
        yb = checked[1];
        start = 0;
        return true;
      }
      if (ringX == null) {
        capacity = rows;
        slots = ringSlots(guard, -1);
        ringX = new float[Math.multiplyExact(slots * capacity, xRow)];
        ringY = new float[Math.multiplyExact(slots * capacity, yRow)];
        ringXs = Tensor.wrap(ringX, batched(slots * capacity, data.featureShape()));
        ringYs = Tensor.wrap(ringY, slots * capacity, yRow);
        guard.data(ringXs, ringYs);
      }
      if (rows > capacity) {
        throw new IllegalArgumentException("Batch " + step + " of the stream has " + rows
            + " rows, more than the first batch's " + capacity + "; on a guarded device every"
            + " batch must be at most as large as the first");
      }
      start = slot * capacity;
      slot = (slot + 1) % slots;
      Tensor cx = checked[0];
      Tensor cy = checked[1];
      System.arraycopy(cx.data(), cx.offset(), ringX, start * xRow, rows * xRow);
      System.arraycopy(cy.data(), cy.offset(), ringY, start * yRow, rows * yRow);
      xb = ringXs.rows(start, start + rows);
      yb = ringYs.rows(start, start + rows);
      return true;
    }
  }

  // ---------------------------------------------------------------- dataset checks and eval

  /** {@code (rows, perSample...)}. */
  static int[] batched(int rows, int[] perSample) {
    int[] s = new int[perSample.length + 1];
    s[0] = rows;
    System.arraycopy(perSample, 0, s, 1, perSample.length);
    return s;
  }

  /** Checks that a dataset's samples have the model's input shape (or its flat size). */
  static void checkFeatures(Sequential model, Dataset dataset, String what) {
    java.util.Objects.requireNonNull(dataset, "dataset");
    int[] want = model.inputShape();
    int[] have = dataset.featureShape();
    boolean flat = have.length == 1 && have[0] == Shapes.size(want) && want.length > 1;
    if (!Arrays.equals(have, want) && !flat) {
      throw new IllegalArgumentException("Input of layer '" + model.layers().get(0).name()
          + "' is incompatible with the layer: expected shape " + Shapes.withBatch(want)
          + ", but the dataset's " + what + " has samples of shape " + Shapes.withBatch(have)
          + "; select other columns or change the model's input shape");
    }
  }

  /**
   * Checks every sample of a row-addressable dataset before any step, a block at a time (one
   * sequential read): inputs finite (and valid indices for an embedding), labels fitting the
   * loss. Errors name the block's first row and the row within it.
   */
  static void checkRows(Sequential model, Dataset dataset, String xWhat, String yWhat) {
    int n = dataset.size();
    int xRow = dataset.featureSize();
    int yRow = dataset.labelSize();
    int block = Math.max(1, Math.min(n, CHECK_VALUES / Math.max(1, xRow + yRow)));
    float[] xs = new float[block * xRow];
    float[] ys = yRow == 0 ? null : new float[block * yRow];
    int outputs = Shapes.size(model.outputShape());
    for (int from = 0; from < n; from += block) {
      int rows = Math.min(block, n - from);
      for (int r = 0; r < rows; r++) {
        dataset.read(from + r, xs, r * xRow, ys, r * yRow);
      }
      String where = from == 0 && rows == n ? "" : " (the block from row " + from + ")";
      Tensor cx = Tensor.wrap(xs, batched(block, dataset.featureShape())).rows(0, rows);
      model.checkInput(cx, xWhat + where);
      DataChecks.checkFinite(cx, xWhat + where);
      if (ys != null && yWhat != null) {
        Tensor cy = Tensor.wrap(ys, block, yRow).rows(0, rows);
        DataChecks.checkLabels(cy, model.labelLoss(), outputs, rows, yWhat + where);
      }
    }
  }

  /** Checks one batch of a stream; returns its inputs and labels (labels as rows). */
  static Tensor[] checkBatch(Sequential model, Batch b, Dataset stream, int outputs, int step,
      boolean labels) {
    String where = " (batch " + step + " of the stream)";
    Tensor bx = b.x();
    model.checkInput(bx, "x" + where);
    DataChecks.checkFinite(bx, "x" + where);
    if (!labels) {
      return new Tensor[] {bx, null};
    }
    Tensor by = b.y();
    if (by == null) {
      throw new IllegalArgumentException("Batch " + step + " of the stream has no labels but"
          + " fit() and evaluate() need them");
    }
    if (by.rank() == 1) {
      by = Tensor.wrap(by.toArray(), by.rows(), 1);
    }
    DataChecks.checkLabels(by, model.labelLoss(), outputs, bx.rows(), "y" + where);
    return new Tensor[] {bx, by};
  }

  /** Keras's {@code evaluate} over a dataset, batch by batch in data order. */
  static Map<String, Double> evaluate(Sequential model, Dataset dataset, int batchSize,
      String prefix) {
    if (dataset instanceof ArrayDataset a) {
      return new Evaluator(model, batchSize).evaluate(a.x(), a.y(), prefix);
    }
    int outputs = Shapes.size(model.outputShape());
    MetricAccumulator acc = model.newAccumulator();
    if (!dataset.randomAccess()) {
      Iterator<Batch> it = dataset.batches();
      float[] out = new float[0];
      for (int step = 0; it.hasNext(); step++) {
        Tensor[] b = checkBatch(model, it.next(), dataset, outputs, step, true);
        int rows = b[0].rows();
        if (out.length < rows * outputs) {
          out = new float[rows * outputs];
        }
        double loss = model.evaluateStep(b[0], b[1], out);
        acc.add(loss, out, b[1].data(), b[1].offset(), rows);
      }
      return acc.logs(prefix);
    }
    int n = dataset.size();
    int xRow = dataset.featureSize();
    int yRow = dataset.labelSize();
    int batch = Math.max(1, Math.min(batchSize, n));
    float[] xs = new float[batch * xRow];
    float[] ys = new float[batch * yRow];
    float[] out = new float[batch * outputs];
    Tensor xAll = Tensor.wrap(xs, batched(batch, dataset.featureShape()));
    Tensor yAll = Tensor.wrap(ys, batch, yRow);
    for (int start = 0; start < n; start += batch) {
      int rows = Math.min(batch, n - start);
      for (int r = 0; r < rows; r++) {
        dataset.read(start + r, xs, r * xRow, ys, r * yRow);
      }
      Tensor yb = yAll.rows(0, rows);
      double loss = model.evaluateStep(xAll.rows(0, rows), yb, out);
      acc.add(loss, out, ys, 0, rows);
    }
    return acc.logs(prefix);
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
