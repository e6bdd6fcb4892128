package dev.backplane.optimizer;

import dev.backplane.ops.DType;
import dev.backplane.ops.Graph;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.ops.RefTensor;
import java.util.List;
import java.util.Map;

/**
 * Keras's {@code LearningRateSchedule}: the learning rate as a graph of the iteration count, so
 * that every backend computes it on the device, step by step, from the restored iteration count.
 * Pass one to any optimizer in place of a constant rate, e.g.
 * {@code new SGD(new ExponentialDecay(0.1, 1000, 0.96))}.
 *
 * <p>As in Keras, the schedule sees the number of steps taken before the current one (Keras's
 * {@code optimizer.iterations}): 0 on the first step, {@code t - 1} on step {@code t}.
 *
 * <p>Built in: {@link ExponentialDecay}, {@link PiecewiseConstantDecay}, {@link CosineDecay}
 * (with optional linear warmup), {@link InverseTimeDecay}, {@link PolynomialDecay}. A custom
 * schedule builds its graph with {@link Ops} only, like a custom layer; implement it as a record
 * (or with {@code equals}) so that optimizers holding it compare by value.
 */
public interface LearningRateSchedule {
  /**
   * The learning rate at {@code iterations} as graph nodes.
   *
   * @param iterations the steps taken before this one, a float32 scalar holding a whole number
   * @return a float32 scalar
   */
  Node learningRate(Ops ops, Node iterations);

  /**
   * Keras's {@code initial_learning_rate} of the schedule ({@code values[0]} for
   * {@link PiecewiseConstantDecay}); what an optimizer holding this schedule reports as
   * {@link Optimizer#learningRate()}.
   */
  double initialLearningRate();

  /**
   * The schedule's value at {@code iterations}, computed by running its graph on the float64
   * reference interpreter (constants are float32, as on every backend). For logs and tests.
   */
  default double valueAt(long iterations) {
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    }
    Graph g = new Graph();
    Ops ops = new Ops(g);
    Node it = ops.input("iterations", DType.FLOAT32);
    Node lr = learningRate(ops, it);
    return Interpreter.run(List.of(lr), Map.of("iterations",
        RefTensor.scalar((float) iterations)), Map.of()).get(0).data()[0];
  }
}
