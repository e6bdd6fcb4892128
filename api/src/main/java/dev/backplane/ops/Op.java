package dev.backplane.ops;

import java.util.List;

/**
 * A primitive of the op set. Each op keeps three things side by side, as JAX's primitives do:
 * its shape rule ({@link #infer}), its float64 reference kernel ({@link #evaluate}) and its
 * gradient rule ({@link #gradient}), written in the op set itself. Backends implement ops by
 * {@link #name()}; they never differentiate.
 *
 * <p>Ops are stateless singletons, listed by {@link OpSet}.
 */
public abstract class Op {
  private final String name;

  /** An op named {@code name} (lower-case, {@code keras.ops} spelling where one exists). */
  protected Op(String name) {
    this.name = name;
  }

  /** The op's name, e.g. {@code "matmul"}. */
  public final String name() {
    return name;
  }

  /** The op's documentation row: inputs, attributes, shapes, semantics and gradient. */
  public abstract OpDoc doc();

  /**
   * Infers the output's shape and dtype.
   *
   * @throws OpException naming the op, the layer and the shapes when the inputs do not fit
   */
  protected abstract Spec infer(List<Node> inputs, Attrs attrs, String layer);

  /**
   * The float64 reference kernel: the output for concrete inputs. Source ops ({@code input},
   * {@code variable}) are resolved by the {@link Interpreter} and never evaluated here.
   */
  public abstract RefTensor evaluate(List<RefTensor> inputs, Attrs attrs);

  /**
   * The gradient rule: for the upstream gradient {@code dy} of {@code node}, the gradient for
   * each input (same order; {@code null} where the input gets none), built with {@code ops}.
   */
  public abstract List<Node> gradient(Ops ops, Node node, Node dy);

  /** Whether the op is differentiable at all (comparisons, casts to int, random: no). */
  public boolean differentiable() {
    return true;
  }

  /** An error for this op. */
  protected final OpException fail(String layer, String problem) {
    return new OpException(name, layer, problem);
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * The inferred output of an op.
   *
   * @param shape the shape ({@code -1} for the batch axis)
   * @param dtype the element type
   */
  public record Spec(int[] shape, DType dtype) {
    /** A float32 output. */
    public static Spec f32(int... shape) {
      return new Spec(shape, DType.FLOAT32);
    }
  }
}
