/**
 * Data-parallel training on Apache Spark: {@link dev.backplane.spark.SparkTrainer} trains a model
 * in Spark's barrier execution mode with the one-machine loss curve (each task's gradients on
 * its shard of the seeded global batch, summed across tasks, the same update on every replica).
 */
package dev.backplane.spark;
