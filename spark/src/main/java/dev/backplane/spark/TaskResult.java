package dev.backplane.spark;

import java.io.Serializable;

/**
 * What one barrier task reports for a stretch of steps.
 *
 * @param task the task index
 * @param attempt the attempt the hook saw (retries included)
 * @param lossSums the global batch's loss sum per step (identical on every task)
 * @param state the replica's state after the last step (task 0 only, else {@code null})
 * @param stateHash the hash of the replica's state, to prove the replicas stayed identical
 * @param computeNanos time in forward and backward passes
 * @param allreduceNanos time in the allreduce (waiting for the slowest task included)
 * @param device the device the replica ran on
 * @param outputs per step, this task's shard's training-mode outputs (row-major)
 * @param labels per step, this task's shard's labels (row-major)
 */
record TaskResult(int task, int attempt, double[] lossSums, StateBlob state, long stateHash,
    long computeNanos, long allreduceNanos, String device, float[][] outputs, float[][] labels)
    implements Serializable {
}
