package dev.backplane.conformance.javaref;

import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Layer;
import dev.backplane.model.LayerContext;
import dev.backplane.model.ParameterSpec;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Injects {@link Fault}s into what the interpreter runs, by rewriting the spec: layers whose
 * graphs compute the bug, or another optimizer or seed. The kernels stay the api's float64
 * reference kernels; only the graph changes.
 */
final class Faults {
  private Faults() {}

  /** The spec the faulty backend really runs. */
  static ModelSpec rewrite(ModelSpec spec, Set<Fault> faults) {
    List<Layer> layers = new ArrayList<>();
    boolean changed = false;
    for (Layer l : spec.layers()) {
      Layer r = rewrite(l, faults);
      changed |= r != l;
      layers.add(r);
    }
    Optimizer opt = spec.optimizer();
    if (faults.contains(Fault.NESTEROV_IGNORED) && opt instanceof SGD sgd && sgd.nesterov()) {
      opt = new SGD(sgd.learningRate(), sgd.momentum(), false);
      changed = true;
    }
    long seed = spec.seed();
    if (faults.contains(Fault.NONDETERMINISTIC_DROPOUT)) {
      seed = System.nanoTime();
      changed = true;
    }
    return changed ? respec(spec, layers, opt, seed) : spec;
  }

  /** The same model, state and name with other layers, optimizer or seed. */
  static ModelSpec respec(ModelSpec spec, List<Layer> layers, Optimizer optimizer, long seed) {
    return ModelSpec.withWeights(spec.name(), spec.inputShape(), layers, spec.loss(), optimizer,
        seed, spec.initialState().parameters(), spec.initialState().variables());
  }

  private static Layer rewrite(Layer l, Set<Fault> faults) {
    if (l instanceof Dense d) {
      boolean gelu = d.activation() == Activation.GELU && faults.contains(Fault.GELU_TANH);
      boolean relu = d.activation() == Activation.RELU && faults.contains(Fault.RELU_GRADIENT);
      boolean bias = d.useBias() && faults.contains(Fault.BIAS_IGNORED);
      if (!gelu && !relu && !bias) {
        return l;
      }
      return new Rewired(l, (ctx, x) -> {
        Ops o = ctx.ops();
        Node z = o.matmul(x, ctx.weight("kernel"));
        if (d.useBias()) {
          Node b = ctx.weight("bias");
          // The bias still gets its gradient, but adds exactly zero to the forward.
          z = o.add(z, bias ? o.sub(b, o.stopGradient(b)) : b);
        }
        return activate(o, d.activation(), z, faults);
      });
    }
    if (l instanceof ActivationLayer a) {
      boolean gelu = a.activation() == Activation.GELU && faults.contains(Fault.GELU_TANH);
      boolean relu = a.activation() == Activation.RELU && faults.contains(Fault.RELU_GRADIENT);
      return gelu || relu ? new Rewired(l, (ctx, x) -> activate(ctx.ops(), a.activation(), x,
          faults)) : l;
    }
    if (l instanceof Dropout d && faults.contains(Fault.DROPOUT_IN_PREDICT)) {
      return new Rewired(l, (ctx, x) -> {
        if (d.rate() == 0) {
          return x;
        }
        Ops o = ctx.ops();
        Node u = o.randomUniform(x, ctx.iteration(), ctx.seed(), ctx.salt());
        Node mask = o.where(o.greaterEqual(u, o.scalar(d.rate())), o.scalar(1 / (1 - d.rate())),
            o.scalar(0));
        return o.mul(x, mask);
      });
    }
    return l;
  }

  private static Node activate(Ops o, Activation a, Node z, Set<Fault> faults) {
    if (a == Activation.GELU && faults.contains(Fault.GELU_TANH)) {
      Node inner = o.mul(o.scalar(Math.sqrt(2 / Math.PI)),
          o.add(z, o.mul(o.scalar(0.044715), o.mul(z, o.square(z)))));
      return o.mul(o.mul(o.scalar(0.5), z), o.add(o.scalar(1), o.tanh(inner)));
    }
    if (a == Activation.RELU && faults.contains(Fault.RELU_GRADIENT)) {
      // Forward exactly relu; the derivative is 0.1 (not 0) for negative inputs.
      Node m = o.minimum(z, o.scalar(0));
      return o.add(o.relu(z), o.mul(o.scalar(0.1), o.sub(m, o.stopGradient(m))));
    }
    return a.build(o, z);
  }

  /** The Adam learning rate that, at step {@code t}, cancels Adam's bias correction. */
  static Optimizer withoutBiasCorrection(Adam adam, long t) {
    double correction = Math.sqrt(1 - Math.pow(adam.beta2(), t)) / (1 - Math.pow(adam.beta1(), t));
    return new Adam(adam.learningRate() / correction, adam.beta1(), adam.beta2(),
        adam.epsilon());
  }

  /** A layer that keeps its name, class and weights but builds another graph. */
  private record Rewired(Layer base, Call body) implements Layer {
    interface Call {
      Node call(LayerContext ctx, Node x);
    }

    @Override
    public String name() {
      return base.name();
    }

    @Override
    public String kerasClass() {
      return base.kerasClass();
    }

    @Override
    public Layer withName(String name) {
      return new Rewired(base.withName(name), body);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
      return base.outputShape(inputShape);
    }

    @Override
    public List<ParameterSpec> parameters(int[] inputShape) {
      return base.parameters(inputShape);
    }

    @Override
    public Node call(LayerContext ctx, Node x) {
      return body.call(ctx, x);
    }
  }
}
