package dev.backplane.examples;

import dev.backplane.model.Loss;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;

/**
 * A custom loss written only with the public op builder: Keras's Huber loss, per sample
 * {@code mean_j (|e| <= delta ? e²/2 : delta·|e| - delta²/2)} with {@code e = y - out}.
 */
public final class Huber {
  private Huber() {}

  /** The Huber loss with this {@code delta} (Keras's default is 1). */
  public static Loss loss(double delta) {
    return Loss.custom("huber", (ops, y, out) -> perSample(ops, y, out, delta));
  }

  private static Node perSample(Ops ops, Node y, Node out, double delta) {
    Node error = ops.abs(ops.sub(y, out));
    Node quadratic = ops.mul(ops.scalar(0.5), ops.square(error));
    Node linear = ops.sub(ops.mul(ops.scalar(delta), error), ops.scalar(0.5 * delta * delta));
    Node terms = ops.where(ops.lessEqual(error, ops.scalar(delta)), quadratic, linear);
    return ops.mean(terms, -1, false);
  }
}
