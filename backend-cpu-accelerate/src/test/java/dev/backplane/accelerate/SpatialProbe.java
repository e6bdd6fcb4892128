package dev.backplane.accelerate;

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
 * A custom test layer applying spatial ops through {@code ctx.ops()}: the body gets
 * {@code x + w} (w a zero weight shaped like the sample, so training moves it by minus the
 * input gradient) and, when {@code kernelShape} is set, a trainable glorot kernel {@code k}.
 */
record SpatialProbe(String name, int[] inputShape, int[] kernelShape, Body body)
    implements Layer {
  @FunctionalInterface
  interface Body {
    Node build(Ops ops, Node xw, Node k);
  }

  @Override
  public String kerasClass() {
    return "SpatialProbe";
  }

  @Override
  public Layer withName(String newName) {
    return new SpatialProbe(newName, inputShape, kernelShape, body);
  }

  @Override
  public int[] outputShape(int[] in) {
    Ops ops = new Ops(new Graph());
    int[] b = new int[in.length + 1];
    b[0] = -1;
    System.arraycopy(in, 0, b, 1, in.length);
    Node x = ops.input("x", DType.FLOAT32, b);
    Node k = kernelShape == null ? null : ops.variable("k", kernelShape);
    int[] s = body.build(ops, ops.add(x, ops.variable("w", in)), k).shape();
    int[] per = new int[s.length - 1];
    System.arraycopy(s, 1, per, 0, per.length);
    return per;
  }

  @Override
  public List<ParameterSpec> parameters(int[] in) {
    List<ParameterSpec> p = new ArrayList<>();
    p.add(new ParameterSpec("w", in, Initializer.ZEROS));
    if (kernelShape != null) {
      p.add(new ParameterSpec("k", kernelShape, Initializer.GLOROT_UNIFORM));
    }
    return p;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    return body.build(ops, ops.add(x, ctx.weight("w")),
        kernelShape == null ? null : ctx.weight("k"));
  }
}
