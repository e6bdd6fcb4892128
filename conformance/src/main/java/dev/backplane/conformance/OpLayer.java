package dev.backplane.conformance;

import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.LayerContext;
import dev.backplane.model.ParameterSpec;
import dev.backplane.ops.DType;
import dev.backplane.ops.Graph;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * A custom layer that applies one op of the op set, written only with the public {@link Ops}
 * builder, as a third party's layer would be: the op under test gets {@code x + w}, where
 * {@code w} is a trainable weight shaped like the per-sample input (zeros), and, for ops with a
 * second float operand, a fixed constant plus a second trainable zero weight {@code v}. So
 * {@code predict} gives the op's forward, and one SGD step with learning rate 1 gives minus its
 * gradient in {@code w} and {@code v}.
 *
 * @param name the layer name
 * @param op the op under test
 * @param inputShape per-sample input shape
 * @param vShape shape of the second operand's weight {@code v}, or {@code null} for none
 * @param body builds the output {@code (None, k)} from the inputs and weights
 */
record OpLayer(String name, String op, int[] inputShape, int[] vShape, Body body)
    implements Layer {
  /** Keras class name of the probe layer. */
  static final String KERAS_CLASS = "ConformanceOpProbe";

  /** Builds the probe's output. */
  @FunctionalInterface
  interface Body {
    /**
     * @param ops the builder
     * @param x the batch input {@code (None, inputShape...)}
     * @param xw {@code x + w}
     * @param v the second weight, or {@code null}
     * @param ctx the layer context (iteration, seed, salt for random ops)
     */
    Node build(Ops ops, Node x, Node xw, Node v, LayerContext ctx);
  }

  @Override
  public String kerasClass() {
    return KERAS_CLASS;
  }

  @Override
  public Layer withName(String newName) {
    return new OpLayer(newName, op, inputShape, vShape, body);
  }

  @Override
  public int[] outputShape(int[] in) {
    Graph g = new Graph();
    Ops ops = new Ops(g);
    Node x = ops.input("x", DType.FLOAT32, batched(in));
    Node w = ops.variable("w", in);
    Node v = vShape == null ? null : ops.variable("v", vShape);
    Node out = body.build(ops, x, ops.add(x, w), v, LayerContext.standalone(ops, false, 0));
    int[] s = out.shape();
    int[] per = new int[s.length - 1];
    System.arraycopy(s, 1, per, 0, per.length);
    return per;
  }

  @Override
  public List<ParameterSpec> parameters(int[] in) {
    List<ParameterSpec> p = new ArrayList<>();
    p.add(new ParameterSpec("w", in, Initializer.ZEROS));
    if (vShape != null) {
      p.add(new ParameterSpec("v", vShape, Initializer.ZEROS));
    }
    return p;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    Node xw = ops.add(x, ctx.weight("w"));
    return body.build(ops, x, xw, vShape == null ? null : ctx.weight("v"), ctx);
  }

  private static int[] batched(int[] shape) {
    int[] out = new int[shape.length + 1];
    out[0] = -1;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }
}
