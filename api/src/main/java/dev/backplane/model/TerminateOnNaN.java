package dev.backplane.model;

import java.util.Map;

/**
 * Keras's {@code TerminateOnNaN}: stops training as soon as a batch's loss is NaN or infinite,
 * and prints {@code Batch N: Invalid loss, terminating training}.
 */
public final class TerminateOnNaN implements Callback {
  private int stoppedAtBatch = -1;

  @Override
  public void onBatchEnd(Sequential model, int batch, Map<String, Double> logs) {
    Double loss = logs.get("loss");
    if (loss != null && (loss.isNaN() || loss.isInfinite())) {
      stoppedAtBatch = batch;
      model.output().println("Batch " + batch + ": Invalid loss, terminating training");
      model.stopTraining();
    }
  }

  /** The batch at which training was stopped, or -1. */
  public int stoppedAtBatch() {
    return stoppedAtBatch;
  }
}
