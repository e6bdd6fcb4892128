package dev.backplane.tfjava;

import dev.backplane.model.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The api's losses, per sample, with ops that have gradients in TensorFlow's C++ registry. The
 * sparse loss uses a one-hot of the label, not {@code SparseSoftmaxCrossEntropyWithLogits}, whose
 * gradient TensorFlow registers only in Python.
 */
final class Losses {
  private static final float EPS = (float) Loss.EPSILON;

  private Losses() {}

  /**
   * The per-sample loss, shape {@code (n)}.
   *
   * @param out the model output, {@code (n, outputs)}
   * @param y the labels: {@code (n, outputs)}, or {@code (n, 1)} class indices for a sparse loss
   */
  static Operand<TFloat32> perSample(Ops tf, Loss loss, Operand<TFloat32> out, Operand<TFloat32> y,
      int outputs) {
    Operand<TInt32> last = tf.constant(-1);
    switch (loss.type()) {
      case MEAN_SQUARED_ERROR:
        return tf.math.mean(tf.math.squaredDifference(y, out), last);
      case MEAN_ABSOLUTE_ERROR:
        return tf.math.mean(tf.math.abs(tf.math.sub(y, out)), last);
      case BINARY_CROSSENTROPY:
        if (loss.fromLogits()) {
          // max(z, 0) - z y + log(1 + exp(-|z|)) is softplus(z) - z y; Softplus is stable and
          // its gradient is sigmoid(z) everywhere, including z = 0.
          return tf.math.mean(tf.math.sub(tf.math.softplus(out), tf.math.mul(out, y)), last);
        }
        Operand<TFloat32> p = clip(tf, out);
        Operand<TFloat32> one = tf.constant(1f);
        Operand<TFloat32> ll = tf.math.add(tf.math.mul(y, tf.math.log(p)),
            tf.math.mul(tf.math.sub(one, y), tf.math.log(tf.math.sub(one, p))));
        return tf.math.neg(tf.math.mean(ll, last));
      case CATEGORICAL_CROSSENTROPY:
        return crossEntropy(tf, loss, out, y);
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        Operand<TInt32> labels = tf.dtypes.cast(tf.reshape(y, tf.constant(new int[] {-1})),
            TInt32.class);
        Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(outputs), tf.constant(1f),
            tf.constant(0f));
        return crossEntropy(tf, loss, out, oneHot);
      default:
        throw new IllegalStateException("Unhandled loss " + loss);
    }
  }

  private static Operand<TFloat32> crossEntropy(Ops tf, Loss loss, Operand<TFloat32> out,
      Operand<TFloat32> oneHot) {
    Operand<TInt32> last = tf.constant(-1);
    Operand<TFloat32> logP;
    if (loss.fromLogits()) {
      logP = tf.nn.logSoftmax(out);
    } else {
      Operand<TFloat32> total = tf.sum(out, last, Sum.keepDims(true));
      logP = tf.math.log(clip(tf, tf.math.div(out, total)));
    }
    return tf.math.neg(tf.sum(tf.math.mul(oneHot, logP), last));
  }

  /** {@code clip(p, eps, 1 - eps)}; the gradient is zero where the clip is active. */
  private static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> p) {
    return tf.math.minimum(tf.math.maximum(p, tf.constant(EPS)), tf.constant(1f - EPS));
  }

  /** Mean over the batch (what is differentiated). */
  static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> perSample) {
    return tf.math.mean(perSample, tf.constant(0), Mean.keepDims(false));
  }

  /** Sum over the batch (what a step returns). */
  static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> perSample) {
    return tf.sum(perSample, tf.constant(0));
  }
}
