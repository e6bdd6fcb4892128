package dev.backplane.testing;

import dev.backplane.model.Layer;
import dev.backplane.model.LayerContext;
import dev.backplane.ops.Attrs;
import dev.backplane.ops.Node;
import dev.backplane.ops.Op;
import dev.backplane.ops.OpDoc;
import dev.backplane.ops.RefTensor;
import dev.backplane.model.ParameterSpec;
import java.util.List;

/**
 * Stands in, in backend tests, for a layer the backend cannot run: a shape-preserving layer named
 * like Keras's {@code Conv2D} whose graph uses an op ({@code conv2d_standin}) outside the op set,
 * which no backend implements.
 *
 * @param name the layer name
 */
public record Conv2D(String name) implements Layer {
  @Override
  public String kerasClass() {
    return "Conv2D";
  }

  @Override
  public Layer withName(String newName) {
    return new Conv2D(newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    return ctx.ops().graph().add(STANDIN, List.of(x), Attrs.NONE);
  }

  /** The op no backend knows. */
  public static final Op STANDIN = new Op("conv2d_standin") {
    @Override
    public OpDoc doc() {
      return new OpDoc("test", "conv2d_standin(x)", "x", "dy");
    }

    @Override
    protected Spec infer(List<Node> inputs, Attrs attrs, String layer) {
      return Spec.f32(inputs.get(0).shape());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> inputs, Attrs attrs) {
      return inputs.get(0);
    }

    @Override
    public List<Node> gradient(dev.backplane.ops.Ops ops, Node node, Node dy) {
      return List.of(dy);
    }
  };
}
