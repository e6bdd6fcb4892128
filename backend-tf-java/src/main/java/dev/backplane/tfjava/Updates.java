package dev.backplane.tfjava;

import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ResourceApplyKerasMomentum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * The optimizer update with the api's (Keras's) formulas. Where a fused TensorFlow kernel computes
 * exactly the api's expression it is used (one op per parameter); RMSprop, whose kernel orders the
 * velocity update differently, is spelled out.
 */
final class Updates {
  private Updates() {}

  /**
   * The update ops of one step, not including the iteration count.
   *
   * @param tf scope on the model's device
   * @param host scope on the host CPU, for scalars derived from the iteration count
   * @param grads gradients of the batch-mean loss, in parameter order
   */
  static List<Op> build(Ops tf, Ops host, Optimizer optimizer, StateVariables state,
      List<Operand<TFloat32>> grads) {
    if (optimizer instanceof SGD sgd) {
      return sgd(tf, sgd, state, grads);
    }
    if (optimizer instanceof Adam adam) {
      return adam(tf, host, adam, state, grads);
    }
    if (optimizer instanceof RMSprop rms) {
      return rmsprop(tf, rms, state, grads);
    }
    throw new IllegalStateException("Unhandled optimizer " + optimizer);
  }

  /**
   * Plain: {@code w -= lr g} (ResourceApplyGradientDescent). Momentum:
   * {@code v = momentum v - lr g; w += v}, Nesterov {@code w += momentum v - lr g}
   * (ResourceApplyKerasMomentum, which computes exactly these).
   */
  private static List<Op> sgd(Ops tf, SGD sgd, StateVariables state,
      List<Operand<TFloat32>> grads) {
    Operand<TFloat32> lr = tf.constant((float) sgd.learningRate());
    List<Op> ops = new ArrayList<>();
    for (int p = 0; p < grads.size(); p++) {
      if (sgd.momentum() == 0) {
        ops.add(tf.train.resourceApplyGradientDescent(state.parameters.get(p), lr, grads.get(p)));
      } else {
        ops.add(tf.train.resourceApplyKerasMomentum(state.parameters.get(p), state.slot(p, 0), lr,
            grads.get(p), tf.constant((float) sgd.momentum()),
            ResourceApplyKerasMomentum.useNesterov(sgd.nesterov())));
      }
    }
    return ops;
  }

  /**
   * Keras's Adam: {@code m += (g - m)(1 - beta1)}, {@code v += (g^2 - v)(1 - beta2)},
   * {@code w -= alpha m / (sqrt(v) + eps)} with
   * {@code alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t)}. ResourceApplyAdam's CPU and GPU kernels
   * compute these expressions; alpha is computed here in float64 from the iteration count and
   * passed as the kernel's learning rate with zero beta powers, so the kernel's own factor is
   * exactly 1.
   *
   * <p>One round-off difference remains: the kernel forms {@code 1 - beta2} in float32 from
   * {@code (float) beta2}, and {@code 1 - 0.999f} is 1.3e-5 relative below 0.001 (Keras forms it
   * in float64). Spelling the update out with a float64 constant removes it but costs about a
   * third of the throughput on large layers (ten passes over each weight instead of one); the
   * difference stays two orders below the cross-backend tolerance of 1e-4.
   */
  private static List<Op> adam(Ops tf, Ops host, Adam adam, StateVariables state,
      List<Operand<TFloat32>> grads) {
    Operand<TFloat64> t = host.dtypes.cast(
        host.math.add(state.iterationRead, host.constant(1L)), TFloat64.class);
    Operand<TFloat64> one = host.constant(1.0);
    Operand<TFloat64> alpha = host.math.div(
        host.math.mul(host.constant(adam.learningRate()),
            host.math.sqrt(host.math.sub(one, host.math.pow(host.constant(adam.beta2()), t)))),
        host.math.sub(one, host.math.pow(host.constant(adam.beta1()), t)));
    Operand<TFloat32> alpha32 = host.dtypes.cast(alpha, TFloat32.class);
    Operand<TFloat32> zero = tf.constant(0f);
    Operand<TFloat32> beta1 = tf.constant((float) adam.beta1());
    Operand<TFloat32> beta2 = tf.constant((float) adam.beta2());
    Operand<TFloat32> eps = tf.constant((float) adam.epsilon());
    List<Op> ops = new ArrayList<>();
    for (int p = 0; p < grads.size(); p++) {
      ops.add(tf.train.resourceApplyAdam(state.parameters.get(p), state.slot(p, 0),
          state.slot(p, 1), zero, zero, alpha32, beta1, beta2, eps, grads.get(p)));
    }
    return ops;
  }

  /**
   * Keras's RMSprop: {@code velocity = rho velocity + (1 - rho) g^2},
   * {@code step = lr g / sqrt(velocity + eps)}; {@code w -= step}, or with momentum
   * {@code mom = momentum mom + step}, {@code w -= mom}.
   */
  private static List<Op> rmsprop(Ops tf, RMSprop rms, StateVariables state,
      List<Operand<TFloat32>> grads) {
    Operand<TFloat32> rho = tf.constant((float) rms.rho());
    Operand<TFloat32> oneMinusRho = tf.constant((float) (1 - rms.rho()));
    Operand<TFloat32> lr = tf.constant((float) rms.learningRate());
    Operand<TFloat32> eps = tf.constant((float) rms.epsilon());
    List<Op> ops = new ArrayList<>();
    for (int p = 0; p < grads.size(); p++) {
      Operand<TFloat32> g = grads.get(p);
      Operand<TFloat32> velocity = tf.math.add(tf.math.mul(rho, state.slotRead(p, 0)),
          tf.math.mul(oneMinusRho, tf.math.square(g)));
      ops.add(tf.assignVariableOp(state.slot(p, 0), velocity));
      Operand<TFloat32> step = tf.math.div(tf.math.mul(lr, g),
          tf.math.sqrt(tf.math.add(velocity, eps)));
      if (rms.momentum() > 0) {
        Operand<TFloat32> mom = tf.math.add(
            tf.math.mul(tf.constant((float) rms.momentum()), state.slotRead(p, 1)), step);
        ops.add(tf.assignVariableOp(state.slot(p, 1), mom));
        step = mom;
      }
      ops.add(tf.assignSubVariableOp(state.parameters.get(p), step));
    }
    return ops;
  }
}
