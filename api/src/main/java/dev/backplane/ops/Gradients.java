package dev.backplane.ops;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Reverse-mode differentiation over the ops' gradient rules. The result is more nodes in the
 * same graph: backends receive the whole training step as one graph and never differentiate.
 */
public final class Gradients {
  private Gradients() {}

  /**
   * The gradients of the scalar {@code y} with respect to each of {@code wrt}, in order. An
   * input {@code y} does not depend on gets zeros.
   *
   * @throws OpException if {@code y} is not a float32 scalar
   */
  public static List<Node> of(Node y, List<Node> wrt) {
    if (y.rank() != 0 || y.dtype() != DType.FLOAT32) {
      throw new OpException("gradient", y.layer(), "needs a float32 scalar to differentiate, got "
          + y);
    }
    Graph g = y.graph();
    Ops ops = new Ops(g);
    String scope = g.scope();
    try {
      g.scope("gradient");
      return of(ops, y, ops.scalar(1), wrt);
    } finally {
      g.scope(scope);
    }
  }

  /** The vector-Jacobian product: gradients of {@code y} seeded with {@code dy}. */
  public static List<Node> of(Ops ops, Node y, Node dy, List<Node> wrt) {
    Graph g = y.graph();
    int n = y.id() + 1;
    BitSet fromWrt = new BitSet(n);
    for (Node w : wrt) {
      if (w.graph() != g) {
        throw new OpException("gradient", y.layer(), w + " belongs to another graph");
      }
      fromWrt.set(w.id());
    }
    for (int i = 0; i < n; i++) {
      if (fromWrt.get(i)) {
        continue;
      }
      for (Node in : g.node(i).inputs()) {
        if (fromWrt.get(in.id()) && g.node(i).op().differentiable()) {
          fromWrt.set(i);
          break;
        }
      }
    }
    Node[] grads = new Node[n];
    grads[y.id()] = dy;
    for (int i = y.id(); i >= 0; i--) {
      Node node = g.node(i);
      Node gi = grads[i];
      if (gi == null || !fromWrt.get(i) || node.inputs().isEmpty()) {
        continue;
      }
      String scope = g.scope(node.layer().isEmpty() ? "gradient" : node.layer());
      try {
        List<Node> ins = node.op().gradient(ops, node, gi);
        for (int k = 0; k < node.inputs().size(); k++) {
          Node in = node.input(k);
          Node d = ins.get(k);
          if (d == null || !fromWrt.get(in.id())) {
            continue;
          }
          grads[in.id()] = grads[in.id()] == null ? d : ops.add(grads[in.id()], d);
        }
      } finally {
        g.scope(scope);
      }
    }
    List<Node> out = new ArrayList<>(wrt.size());
    for (Node w : wrt) {
      out.add(grads[w.id()] != null ? grads[w.id()] : ops.zerosLike(w));
    }
    return out;
  }
}
