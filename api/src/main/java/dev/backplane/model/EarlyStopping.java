package dev.backplane.model;

import dev.backplane.spi.NamedArray;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Keras's {@code EarlyStopping}: stops training when {@code monitor} has not improved by more
 * than {@code minDelta} for {@code patience} epochs. With {@code restoreBestWeights}, the weights
 * of the best epoch are restored when it stops early. Mode {@code auto} minimises unless the
 * monitored name contains {@code acc}.
 */
public final class EarlyStopping implements Callback {
  private static final Logger LOG = Logger.getLogger("dev.backplane");

  private final String monitor;
  private final double minDelta;
  private final int patience;
  private final boolean restoreBestWeights;
  private final boolean maximise;
  private int wait;
  private double best;
  private int bestEpoch;
  private int stoppedEpoch;
  private List<NamedArray> bestWeights;
  private boolean verbose;

  /**
   * @param monitor the log key to watch, e.g. {@code val_loss}
   * @param minDelta the least change that counts as an improvement, ≥ 0
   * @param patience epochs without improvement before stopping, ≥ 0
   * @param restoreBestWeights whether to restore the best epoch's weights when stopping
   */
  public EarlyStopping(String monitor, double minDelta, int patience, boolean restoreBestWeights) {
    if (minDelta < 0 || patience < 0) {
      throw new IllegalArgumentException("EarlyStopping needs minDelta >= 0 and patience >= 0, got "
          + minDelta + " and " + patience);
    }
    this.monitor = monitor;
    this.minDelta = minDelta;
    this.patience = patience;
    this.restoreBestWeights = restoreBestWeights;
    this.maximise = monitor.contains("acc");
  }

  /** Keras's defaults: {@code val_loss}, min delta 0, patience 0, no restore. */
  public EarlyStopping() {
    this("val_loss", 0, 0, false);
  }

  /** Prints when it stops and restores, as Keras's {@code verbose=1}; returns this. */
  public EarlyStopping verbose() {
    this.verbose = true;
    return this;
  }

  @Override
  public void onTrainBegin(Sequential model) {
    wait = 0;
    best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    bestEpoch = 0;
    stoppedEpoch = 0;
    bestWeights = null;
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
    Double current = logs.get(monitor);
    if (current == null) {
      LOG.warning("Early stopping conditioned on metric `" + monitor + "` which is not available."
          + " Available metrics are: " + String.join(",", logs.keySet()));
      return;
    }
    if (restoreBestWeights && bestWeights == null) {
      bestWeights = model.getWeights();
    }
    wait++;
    if (improved(current)) {
      best = current;
      bestEpoch = epoch;
      if (restoreBestWeights) {
        bestWeights = model.getWeights();
      }
      wait = 0;
      return;
    }
    if (wait >= patience && epoch > 0) {
      stoppedEpoch = epoch;
      model.stopTraining();
      if (restoreBestWeights && bestWeights != null) {
        model.setWeights(bestWeights);
      }
    }
  }

  private boolean improved(double current) {
    return maximise ? current - minDelta > best : current + minDelta < best;
  }

  @Override
  public void onTrainEnd(Sequential model, Map<String, Double> logs) {
    if (stoppedEpoch > 0 && verbose) {
      model.output().println("Epoch " + (stoppedEpoch + 1) + ": early stopping");
      if (restoreBestWeights) {
        model.output().println("Restoring model weights from the end of the best epoch: "
            + (bestEpoch + 1) + ".");
      }
    }
  }

  /** The epoch (0-based) at which training stopped, or 0 if it did not stop early. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /** The best monitored value seen. */
  public double best() {
    return best;
  }
}
