package dev.backplane.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.apache.spark.BarrierTaskContext;

/**
 * The sum of every task's gradients and loss sum, through {@link BarrierTaskContext#allGather}:
 * each task sends its values (Base64 text, as allGather carries strings) and every task adds all
 * of them in task order, so every replica gets the same bits. allGather relays through the
 * driver, which suits small models (up to a few million parameters); a ring between the tasks
 * would scale better for large ones.
 */
final class Allreduce {
  private Allreduce() {}

  /** Encodes a loss sum and gradients. */
  static String encode(double loss, float[][] gradients) {
    int count = 0;
    for (float[] g : gradients) {
      count += g.length;
    }
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * count).order(ByteOrder.LITTLE_ENDIAN);
    b.putDouble(loss);
    for (float[] g : gradients) {
      b.asFloatBuffer().put(g);
      b.position(b.position() + 4 * g.length);
    }
    return Base64.getEncoder().encodeToString(b.array());
  }

  /**
   * Adds the gathered messages, in task order, into {@code sums} (overwritten).
   *
   * @return the summed loss
   */
  static double sum(String[] messages, float[][] sums) {
    double loss = 0;
    for (int t = 0; t < messages.length; t++) {
      ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(messages[t]))
          .order(ByteOrder.LITTLE_ENDIAN);
      loss += b.getDouble();
      for (float[] s : sums) {
        for (int i = 0; i < s.length; i++) {
          float v = b.getFloat();
          s[i] = t == 0 ? v : s[i] + v;
        }
      }
    }
    return loss;
  }
}
