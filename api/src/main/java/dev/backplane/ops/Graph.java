package dev.backplane.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A graph of ops under construction or finished: nodes in creation order, which is a topological
 * order because a node's inputs must already be in the graph. Not thread-safe; graphs are built
 * by one thread and then only read.
 */
public final class Graph {
  /** Upper bound on nodes per graph: a hostile model file cannot build an unbounded graph. */
  public static final int MAX_NODES = 1_000_000;

  private final List<Node> nodes = new ArrayList<>();
  private String scope = "";

  /** The nodes in topological (creation) order; a read-only view. */
  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  /** Number of nodes. */
  public int size() {
    return nodes.size();
  }

  /** The layer (or loss, optimizer) name recorded on nodes created from now on. */
  public String scope() {
    return scope;
  }

  /** Sets the scope and returns the previous one. */
  public String scope(String layer) {
    String old = scope;
    scope = layer == null ? "" : layer;
    return old;
  }

  /**
   * Applies an op: checks that the inputs belong to this graph, infers the output shape and dtype
   * and appends the node.
   *
   * @throws OpException if the op cannot take these inputs; the graph is unchanged
   */
  public Node add(Op op, List<Node> inputs, Attrs attrs) {
    Objects.requireNonNull(op, "op");
    for (Node in : inputs) {
      Objects.requireNonNull(in, () -> "input of op '" + op.name() + "'");
      if (in.graph() != this) {
        throw new OpException(op.name(), scope, "input " + in + " belongs to another graph;"
            + " build every op of a model on the symbolic tensors of one graph");
      }
    }
    if (nodes.size() >= MAX_NODES) {
      throw new OpException(op.name(), scope, "the graph already has " + MAX_NODES
          + " nodes, the most one graph may hold");
    }
    Op.Spec spec = op.infer(inputs, attrs, scope);
    Node node = new Node(this, nodes.size(), op, inputs, attrs, spec.shape().clone(),
        spec.dtype(), scope);
    nodes.add(node);
    return node;
  }

  /** Node {@code id}. */
  public Node node(int id) {
    return nodes.get(id);
  }

  /** The nodes with these op names. */
  public List<Node> nodesOf(String opName) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.opName().equals(opName)) {
        out.add(n);
      }
    }
    return out;
  }
}
