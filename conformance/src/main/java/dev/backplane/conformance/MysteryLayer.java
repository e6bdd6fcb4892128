package dev.backplane.conformance;

import dev.backplane.model.Layer;
import dev.backplane.model.LayerContext;
import dev.backplane.model.ParameterSpec;
import dev.backplane.ops.Attrs;
import dev.backplane.ops.Node;
import dev.backplane.ops.Op;
import dev.backplane.ops.OpDoc;
import dev.backplane.ops.Ops;
import dev.backplane.ops.RefTensor;
import java.util.List;

/**
 * A layer no backend can run: its graph uses an op outside the op set
 * ({@value #OP_NAME}). A conforming backend rejects it at compile time with an
 * {@link dev.backplane.UnsupportedFeatureException} naming the op and the layer, instead of
 * computing something else.
 *
 * @param name the layer name
 */
record MysteryLayer(String name) implements Layer {
  /** Keras class name of the layer. */
  static final String KERAS_CLASS = "ConformanceMystery";
  /** The op outside the op set. */
  static final String OP_NAME = "conformance_mystery";

  private static final Op MYSTERY_OP = new Op(OP_NAME) {
    @Override
    public OpDoc doc() {
      return new OpDoc("conformance", OP_NAME + "(x)", "x", "dy");
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
    public List<Node> gradient(Ops ops, Node node, Node dy) {
      return List.of(dy);
    }
  };

  @Override
  public String kerasClass() {
    return KERAS_CLASS;
  }

  @Override
  public Layer withName(String newName) {
    return new MysteryLayer(newName);
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
    return ctx.ops().graph().add(MYSTERY_OP, List.of(x), Attrs.NONE);
  }
}
