package dev.backplane.model;

import java.util.Map;

/**
 * Hooks into {@link Sequential#fit}, as Keras callbacks. Every method has an empty default.
 * {@code logs} hold the running (batch) or final (epoch) values by Keras key: {@code loss},
 * {@code accuracy}, {@code val_loss}, ...; they are read-only snapshots. Epochs and batches are
 * counted from 0, as in Keras. A callback stops training with {@link Sequential#stopTraining()}.
 */
public interface Callback {
  /** Before the first epoch. */
  default void onTrainBegin(Sequential model) {}

  /** After the last epoch (or after training was stopped). */
  default void onTrainEnd(Sequential model, Map<String, Double> logs) {}

  /** Before each epoch. */
  default void onEpochBegin(Sequential model, int epoch) {}

  /** After each epoch, with its final metrics and validation metrics. */
  default void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {}

  /** After each training batch, with the epoch's running metrics so far. */
  default void onBatchEnd(Sequential model, int batch, Map<String, Double> logs) {}
}
