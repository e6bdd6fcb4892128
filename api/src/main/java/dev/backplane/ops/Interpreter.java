package dev.backplane.ops;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The float64 reference interpreter: evaluates nodes of a graph with each op's reference
 * kernel. Independent of every backend's kernels; used by the canary, audits and the
 * conformance kit. Not fast, and not meant to be.
 */
public final class Interpreter {
  private Interpreter() {}

  /**
   * Evaluates {@code outputs}.
   *
   * @param feeds the value of each {@code input} node by name
   * @param variables the value of each {@code variable} node by name
   * @throws IllegalArgumentException naming a missing feed or variable, or a shape mismatch
   */
  public static List<RefTensor> run(List<Node> outputs, Map<String, RefTensor> feeds,
      Map<String, RefTensor> variables) {
    if (outputs.isEmpty()) {
      return List.of();
    }
    Graph g = outputs.get(0).graph();
    int last = 0;
    for (Node o : outputs) {
      last = Math.max(last, o.id());
    }
    BitSet needed = new BitSet(last + 1);
    for (Node o : outputs) {
      needed.set(o.id());
    }
    for (int i = last; i >= 0; i--) {
      if (needed.get(i)) {
        for (Node in : g.node(i).inputs()) {
          needed.set(in.id());
        }
      }
    }
    RefTensor[] values = new RefTensor[last + 1];
    for (int i = needed.nextSetBit(0); i >= 0; i = needed.nextSetBit(i + 1)) {
      Node node = g.node(i);
      values[i] = evaluate(node, values, feeds, variables);
    }
    List<RefTensor> out = new ArrayList<>(outputs.size());
    for (Node o : outputs) {
      out.add(values[o.id()]);
    }
    return out;
  }

  private static RefTensor evaluate(Node node, RefTensor[] values, Map<String, RefTensor> feeds,
      Map<String, RefTensor> variables) {
    if (node.op() == OpSet.INPUT || node.op() == OpSet.VARIABLE) {
      String name = node.attrs().s("name");
      boolean input = node.op() == OpSet.INPUT;
      RefTensor v = (input ? feeds : variables).get(name);
      if (v == null) {
        throw new IllegalArgumentException("No value for " + (input ? "input" : "variable")
            + " '" + name + "'; have " + (input ? feeds : variables).keySet());
      }
      checkShape(node, v);
      return v;
    }
    List<RefTensor> ins = new ArrayList<>(node.inputs().size());
    for (Node in : node.inputs()) {
      ins.add(values[in.id()]);
    }
    try {
      RefTensor out = node.op().evaluate(ins, node.attrs());
      checkShape(node, out);
      return out;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Evaluating " + node + ": " + e.getMessage(), e);
    }
  }

  private static void checkShape(Node node, RefTensor v) {
    int[] s = node.rawShape();
    int[] a = v.shape();
    boolean ok = s.length == a.length;
    for (int i = 0; ok && i < s.length; i++) {
      ok = s[i] == -1 || s[i] == a[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(node + " got a value of shape " + Dims.text(a));
    }
  }
}
