package dev.backplane.conformance;

import dev.backplane.spi.Executable;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a {@link ModelCase} epoch by epoch through the SPI with exactly the batches that
 * {@link dev.backplane.model.Sequential#fit} would use: the same seeded per-epoch shuffle, the
 * same batch boundaries (a short last batch), one {@link Executable#trainStep} per batch. Driving
 * the SPI directly lets the kit stop after any epoch, move the state to another backend and go on.
 */
public final class EpochTrainer {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private EpochTrainer() {}

  /**
   * The sample order of an epoch: a Fisher-Yates shuffle seeded by {@code seed * 0x9E3779B97F4A7C15
   * + epoch}, as in the api's training loop.
   */
  public static int[] order(int n, long seed, int epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed * GOLDEN + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * The batches of an epoch, as row-index lists in training order.
   *
   * @return {@code ceil(n / batchSize)} arrays of row indices
   */
  public static List<int[]> batches(ModelCase c, int epoch) {
    int n = c.x().rows();
    int batch = Math.min(c.batchSize(), n);
    int[] order = order(n, c.seed(), epoch);
    List<int[]> out = new ArrayList<>();
    for (int start = 0; start < n; start += batch) {
      int rows = Math.min(batch, n - start);
      int[] idx = new int[rows];
      System.arraycopy(order, start, idx, 0, rows);
      out.add(idx);
    }
    return out;
  }

  /**
   * Trains epochs {@code [from, to)} on an executable that holds the state after epoch
   * {@code from - 1} (or the initial state).
   *
   * @return the mean loss of each epoch trained, and the final state
   */
  public static Curve train(Executable exe, ModelCase c, int from, int to) {
    List<Double> losses = new ArrayList<>();
    int n = c.x().rows();
    float[] out = new float[Math.min(c.batchSize(), n) * c.outputs()];
    for (int epoch = from; epoch < to; epoch++) {
      double sum = 0;
      for (int[] rows : batches(c, epoch)) {
        sum += exe.trainStep(gather(c.x(), rows), gather(c.y(), rows), out);
      }
      losses.add(sum / n);
    }
    return new Curve(losses, exe.snapshot());
  }

  /** Copies rows of a tensor into a new tensor, in the given order. */
  public static Tensor gather(Tensor t, int[] rows) {
    int row = t.rowSize();
    float[] v = new float[rows.length * row];
    float[] d = t.data();
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(d, t.offset() + rows[r] * row, v, r * row, row);
    }
    int[] shape = t.shape();
    shape[0] = rows.length;
    return Tensor.wrap(v, shape);
  }
}
