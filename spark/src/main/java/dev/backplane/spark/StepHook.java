package dev.backplane.spark;

import java.io.Serializable;

/**
 * Called in every task before each of its steps: for fault drills (throw to kill the task) and
 * tracing. Serializable: Spark ships it to the executors.
 */
@FunctionalInterface
public interface StepHook extends Serializable {
  /** A hook that does nothing. */
  StepHook NONE = (task, epoch, step, attempt) -> { };

  /**
   * @param task the barrier task (partition) index, from 0
   * @param epoch the epoch, from 0
   * @param step the step within the epoch, from 0
   * @param attempt 0 on the first run of this stretch of steps, then 1, 2, ... on each retry
   *     (Spark's own stage retries and the trainer's resumptions from its checkpoint)
   */
  void beforeStep(int task, int epoch, int step, int attempt);
}
