package dev.backplane.spark;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Which task trains which sample in which step: the one-machine epoch order (the seeded shuffle
 * of {@code fit}), cut into global batches of {@code batchSize}, each batch split by position
 * into {@code tasks} contiguous shards (task {@code t} of a batch of {@code b} rows gets
 * positions {@code [t*b/tasks, (t+1)*b/tasks)}; a shard may be empty when {@code b < tasks}).
 */
final class ShardPlan implements Serializable {
  private static final long serialVersionUID = 1L;
  final int samples;
  final int batchSize;
  final int tasks;

  ShardPlan(int samples, int batchSize, int tasks) {
    this.samples = samples;
    this.batchSize = batchSize;
    this.tasks = tasks;
  }

  /** Global batches per epoch. */
  int steps() {
    return (samples + batchSize - 1) / batchSize;
  }

  /** Rows of the global batch of {@code step}. */
  int batchRows(int step) {
    return Math.min(batchSize, samples - step * batchSize);
  }

  /** The first position within the batch of {@code step} that {@code task} trains. */
  int shardStart(int step, int task) {
    return (int) ((long) task * batchRows(step) / tasks);
  }

  /** The task that trains the sample at epoch position {@code position}. */
  int task(int position) {
    int step = position / batchSize;
    int within = position - step * batchSize;
    for (int t = 0; t < tasks - 1; t++) {
      if (within < shardStart(step, t + 1)) {
        return t;
      }
    }
    return tasks - 1;
  }

  /**
   * The samples in the order one-machine {@code fit} trains them in {@code epoch}: the same
   * seeded Fisher-Yates shuffle as its training loop (kept in step with
   * {@code dev.backplane.model.TrainingLoop}; the equality tests compare the loss curves).
   */
  static int[] order(int samples, long seed, int epoch, boolean shuffle) {
    int[] order = new int[samples];
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** The inverse of an order: each sample's position in the epoch. */
  static int[] positions(int[] order) {
    int[] pos = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      pos[order[i]] = i;
    }
    return pos;
  }
}
