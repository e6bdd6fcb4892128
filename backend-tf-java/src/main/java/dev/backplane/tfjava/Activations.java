package dev.backplane.tfjava;

import dev.backplane.model.Activation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/** The api's activations as TensorFlow ops, each with a gradient in TensorFlow's C++ registry. */
final class Activations {
  private Activations() {}

  /** {@code activation(x)}; softmax over the last axis. */
  static Operand<TFloat32> apply(Ops tf, Activation activation, Operand<TFloat32> x) {
    switch (activation) {
      case LINEAR:
        return x;
      case RELU:
        return tf.nn.relu(x);
      case SIGMOID:
        return tf.math.sigmoid(x);
      case TANH:
        return tf.math.tanh(x);
      case SOFTMAX:
        return tf.nn.softmax(x);
      case ELU:
        // TensorFlow's Elu has alpha 1, the api's Activation.ELU_ALPHA.
        return tf.nn.elu(x);
      case LEAKY_RELU:
        return tf.nn.leakyRelu(x, LeakyRelu.alpha((float) Activation.LEAKY_RELU_SLOPE));
      case GELU:
        // Exact GELU: x/2 (1 + erf(x / sqrt 2)); TensorFlow has no core Gelu op.
        Operand<TFloat32> erf = tf.math.erf(tf.math.div(x, tf.constant((float) Math.sqrt(2))));
        return tf.math.mul(tf.math.mul(tf.constant(0.5f), x),
            tf.math.add(tf.constant(1f), erf));
      default:
        throw new IllegalStateException("Unhandled activation " + activation);
    }
  }

  /** Whether {@link #apply} knows this activation. */
  static boolean supports(Activation activation) {
    return switch (activation) {
      case LINEAR, RELU, SIGMOID, TANH, SOFTMAX, ELU, LEAKY_RELU, GELU -> true;
    };
  }
}
