package dev.backplane.spark;

import org.apache.spark.Partitioner;

/** Sends each sample (keyed by its epoch position) to the barrier task that trains it. */
final class ShardPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final ShardPlan plan;

  ShardPartitioner(ShardPlan plan) {
    this.plan = plan;
  }

  @Override
  public int numPartitions() {
    return plan.tasks;
  }

  @Override
  public int getPartition(Object key) {
    return plan.task((Integer) key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardPartitioner p && p.plan.samples == plan.samples
        && p.plan.batchSize == plan.batchSize && p.plan.tasks == plan.tasks;
  }

  @Override
  public int hashCode() {
    return (plan.samples * 31 + plan.batchSize) * 31 + plan.tasks;
  }
}
