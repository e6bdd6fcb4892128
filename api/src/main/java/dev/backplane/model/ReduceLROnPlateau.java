package dev.backplane.model;

import java.util.Map;
import java.util.logging.Logger;

/**
 * Keras's {@code ReduceLROnPlateau}: when {@code monitor} has not improved by more than
 * {@code minDelta} for {@code patience} epochs, the learning rate becomes
 * {@code max(rate * factor, minLr)}, then {@code cooldown} epochs pass before counting again.
 * Mode {@code auto} maximises a monitor whose name contains {@code acc} and minimises any other.
 * Every epoch logs {@code learning_rate}, the rate it ran with. The model keeps its weights,
 * optimizer slots and iteration count across a change ({@link Sequential#setLearningRate}).
 */
public final class ReduceLROnPlateau implements Callback {
  private static final Logger LOG = Logger.getLogger("dev.backplane");
  private final String monitor;
  private final double factor;
  private final int patience;
  private final boolean verbose;
  private final boolean maximise;
  private final double minDelta;
  private final int cooldown;
  private final double minLr;
  private double best;
  private int wait;
  private int cooldownCounter;

  /**
   * {@code ReduceLROnPlateau(monitor, factor, patience, verbose, mode, min_delta, cooldown,
   * min_lr)}.
   *
   * @param mode {@code "auto"}, {@code "min"} or {@code "max"}
   * @throws IllegalArgumentException for {@code factor >= 1} or another bad option
   */
  public ReduceLROnPlateau(String monitor, double factor, int patience, boolean verbose,
      String mode, double minDelta, int cooldown, double minLr) {
    if (!(factor < 1.0)) {
      throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor >= 1.0."
          + " Received factor=" + factor);
    }
    if (!(factor > 0)) {
      throw new IllegalArgumentException("ReduceLROnPlateau needs a factor > 0, got " + factor);
    }
    if (patience < 0 || cooldown < 0 || !(minLr >= 0) || !(minDelta >= 0)) {
      throw new IllegalArgumentException("ReduceLROnPlateau needs patience, cooldown, min_lr and"
          + " min_delta >= 0; got patience=" + patience + ", cooldown=" + cooldown
          + ", min_lr=" + minLr + ", min_delta=" + minDelta);
    }
    if (!mode.equals("auto") && !mode.equals("min") && !mode.equals("max")) {
      throw new IllegalArgumentException("ReduceLROnPlateau mode must be one of auto, min, max;"
          + " got " + mode);
    }
    this.monitor = java.util.Objects.requireNonNull(monitor, "monitor");
    this.factor = factor;
    this.patience = patience;
    this.verbose = verbose;
    this.maximise = mode.equals("max") || mode.equals("auto") && monitor.contains("acc");
    this.minDelta = minDelta;
    this.cooldown = cooldown;
    this.minLr = minLr;
    reset();
  }

  /** Keras's defaults: {@code val_loss}, factor 0.1, patience 10, min_delta 1e-4. */
  public ReduceLROnPlateau() {
    this("val_loss", 0.1, 10, false, "auto", 1e-4, 0, 0);
  }

  /** {@code ReduceLROnPlateau(monitor, factor, patience)} with the other defaults. */
  public ReduceLROnPlateau(String monitor, double factor, int patience) {
    this(monitor, factor, patience, false, "auto", 1e-4, 0, 0);
  }

  private void reset() {
    best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    wait = 0;
    cooldownCounter = 0;
  }

  @Override
  public void onTrainBegin(Sequential model) {
    reset();
    model.logLearningRate();
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
    Double current = logs.get(monitor);
    if (current == null) {
      LOG.warning("Learning rate reduction is conditioned on metric `" + monitor + "` which is"
          + " not available. Available metrics are: " + String.join(",", logs.keySet()));
      return;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      wait = 0;
    }
    boolean improved = maximise ? current > best + minDelta : current < best - minDelta;
    if (improved) {
      best = current;
      wait = 0;
    } else if (cooldownCounter <= 0) {
      wait++;
      if (wait >= patience) {
        // Keras reads the rate from its float32 variable
        double old = (float) model.learningRate();
        if (old > (float) minLr) {
          double next = Math.max(old * factor, minLr);
          model.setLearningRate(next);
          if (verbose) {
            model.output().printf("%nEpoch %d: ReduceLROnPlateau reducing learning rate to %s.%n",
                epoch + 1, next);
          }
          cooldownCounter = cooldown;
          wait = 0;
        }
      }
    }
  }

  /** Epochs waited without improvement. */
  public int waited() {
    return wait;
  }

  /** The best monitored value so far. */
  public double best() {
    return best;
  }
}
