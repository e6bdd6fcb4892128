package dev.backplane.tfjava;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Training-mode dropout masks from TensorFlow's stateless random op, keyed by the model seed, the
 * layer and the iteration count: the same state gives the same masks, so a restored snapshot
 * replays its steps exactly.
 */
final class DropoutMasks {
  private final Ops host;
  private final Operand<TInt32> batch;
  private final Operand<TInt64> iteration;
  private final long seed;

  /**
   * @param tf scope on the model's device, for the batch size (Shape keeps its result on the
   *     host, so the input is not copied)
   * @param host scope on the host CPU, for the seed
   * @param input the model's input placeholder: the masks take its batch size (a value that does
   *     not depend on the weights, so the gradient builder never walks through the random op)
   * @param iteration the iteration count before this step
   * @param seed the model seed
   */
  DropoutMasks(Ops tf, Ops host, Operand<TFloat32> input, Operand<TInt64> iteration, long seed) {
    this.host = host;
    this.batch = host.slice(tf.shape(input), host.constant(new int[] {0}),
        host.constant(new int[] {1}));
    this.iteration = iteration;
    this.seed = seed;
  }

  /** Keras's inverted dropout: {@code x * keep / (1 - rate)}, {@code keep = uniform >= rate}. */
  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, int[] featureShape, double rate,
      int layerIndex) {
    Operand<TInt32> shape = host.concat(List.of(batch, host.constant(featureShape)),
        host.constant(0));
    long layerSeed = seed ^ (0x9E3779B97F4A7C15L * (layerIndex + 1));
    Operand<TInt64> key = host.stack(List.of(host.constant(layerSeed), iteration));
    Operand<TFloat32> uniform = tf.random.statelessRandomUniform(shape, key);
    Operand<TFloat32> keep = tf.dtypes.cast(
        tf.math.greaterEqual(uniform, tf.constant((float) rate)), TFloat32.class);
    return tf.math.mul(x, tf.math.mul(keep, tf.constant((float) (1 / (1 - rate)))));
  }
}
