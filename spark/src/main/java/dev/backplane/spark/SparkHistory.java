package dev.backplane.spark;

import dev.backplane.spi.ModelState;
import java.util.List;
import java.util.Map;

/**
 * The record of a {@link SparkTrainer#fit}: the per-epoch losses (the one-machine {@code
 * History}'s {@code "loss"}), every recovery from a failed barrier stage, the final state, and
 * where the time went.
 *
 * @param loss the mean per-sample loss of each epoch, before each step's update (as {@code fit})
 * @param recoveries one line per failed barrier stage and how training resumed; empty if none
 * @param finalState the replicas' state after the last step ({@code Sequential.setState} takes it)
 * @param tasks barrier tasks (replicas)
 * @param steps optimizer steps taken (retried steps counted once)
 * @param samples samples trained (per epoch, times epochs)
 * @param seconds wall time of the epochs on the driver
 * @param allreduceSeconds mean over tasks of the time in the allreduce, waiting included
 * @param computeSeconds mean over tasks of the time in forward, backward and update
 * @param devices the device each task's replica ran on, by task
 * @param logs every epoch log by key, as {@code History.history()}: {@code loss} and each
 *     compiled metric (computed on the driver from the tasks' outputs, as {@code fit} does)
 */
public record SparkHistory(List<Double> loss, List<String> recoveries, ModelState finalState,
    int tasks, long steps, long samples, double seconds, double allreduceSeconds,
    double computeSeconds, List<String> devices, Map<String, List<Double>> logs) {
  /** Copies the lists. */
  public SparkHistory {
    loss = List.copyOf(loss);
    recoveries = List.copyOf(recoveries);
    devices = List.copyOf(devices);
    Map<String, List<Double>> copy = new java.util.LinkedHashMap<>();
    logs.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    logs = java.util.Collections.unmodifiableMap(copy);
  }

  /** The logs per epoch by key, as {@code History.history()}: loss and every metric. */
  public Map<String, List<Double>> history() {
    return logs;
  }

  /** Optimizer steps per second of wall time. */
  public double stepsPerSecond() {
    return steps / seconds;
  }

  /** Samples per second of wall time. */
  public double samplesPerSecond() {
    return samples / seconds;
  }

  /** Mean allreduce time per step, in seconds. */
  public double allreducePerStep() {
    return steps == 0 ? 0 : allreduceSeconds / steps;
  }
}
