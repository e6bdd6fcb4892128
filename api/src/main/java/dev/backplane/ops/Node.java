package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;

/**
 * A symbolic tensor: the single output of one op applied to earlier nodes of the same
 * {@link Graph}. Nodes are created only through {@link Ops} (or {@link Graph#add}), after shape
 * inference, so a graph is acyclic and well-typed by construction.
 *
 * <p>Shapes are static except the batch axis, written {@code -1} (Keras's {@code None}).
 */
public final class Node {
  private final Graph graph;
  private final int id;
  private final Op op;
  private final List<Node> inputs;
  private final Attrs attrs;
  private final int[] shape;
  private final DType dtype;
  private final String layer;

  Node(Graph graph, int id, Op op, List<Node> inputs, Attrs attrs, int[] shape, DType dtype,
      String layer) {
    this.graph = graph;
    this.id = id;
    this.op = op;
    this.inputs = List.copyOf(inputs);
    this.attrs = attrs;
    this.shape = shape;
    this.dtype = dtype;
    this.layer = layer;
  }

  /** The graph holding this node. */
  public Graph graph() {
    return graph;
  }

  /** Position in the graph; inputs always have smaller ids. */
  public int id() {
    return id;
  }

  /** The op. */
  public Op op() {
    return op;
  }

  /** The op's name, e.g. {@code "matmul"}. */
  public String opName() {
    return op.name();
  }

  /** The inputs, in the op's order. */
  public List<Node> inputs() {
    return inputs;
  }

  /** Input {@code i}. */
  public Node input(int i) {
    return inputs.get(i);
  }

  /** The op's attributes. */
  public Attrs attrs() {
    return attrs;
  }

  /** The shape, {@code -1} for the batch axis (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** The rank. */
  public int rank() {
    return shape.length;
  }

  /** Dimension {@code i}; negative {@code i} counts from the end. */
  public int dim(int i) {
    return shape[i < 0 ? shape.length + i : i];
  }

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** The layer (or loss, optimizer) that built the node, for error messages; may be empty. */
  public String layer() {
    return layer;
  }

  /** {@code name} for an input or variable, else {@code op#id}. */
  public String label() {
    if (attrs.has("name")) {
      return op.name() + " '" + attrs.s("name") + "'";
    }
    return op.name() + "#" + id;
  }

  @Override
  public String toString() {
    return label() + Dims.text(shape) + (layer.isEmpty() ? "" : " in '" + layer + "'");
  }

  int[] rawShape() {
    return shape;
  }

  boolean sameShape(int[] other) {
    return Arrays.equals(shape, other);
  }
}
