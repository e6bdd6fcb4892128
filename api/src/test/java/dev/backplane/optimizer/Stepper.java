package dev.backplane.optimizer;

import dev.backplane.ops.DType;
import dev.backplane.ops.Graph;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.ops.RefTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an optimizer's graphs on the reference interpreter for parameters fed by hand: builds
 * {@code clipGradients} over all the gradients, then {@code update} per parameter, as the
 * program builder does, and carries the weights and slots (in float64) from step to step.
 */
final class Stepper {
  private final Optimizer optimizer;
  private final List<Node> outputs = new ArrayList<>();
  private final int params;
  private final int slotsPerParam;
  private final List<double[]> weights = new ArrayList<>();
  private final List<List<double[]>> slots = new ArrayList<>();
  private long t;

  /** One or more parameters, each a vector with these starting values. */
  Stepper(Optimizer optimizer, double[]... start) {
    this.optimizer = optimizer;
    this.params = start.length;
    this.slotsPerParam = optimizer.slotNames().size();
    Graph graph = new Graph();
    Ops ops = new Ops(graph);
    Node step = ops.input("t", DType.FLOAT32);
    List<Node> ws = new ArrayList<>();
    List<Node> gs = new ArrayList<>();
    for (int p = 0; p < params; p++) {
      ws.add(ops.variable("w" + p, start[p].length));
      gs.add(ops.input("g" + p, DType.FLOAT32, start[p].length));
      weights.add(start[p].clone());
      List<double[]> s = new ArrayList<>();
      for (int k = 0; k < slotsPerParam; k++) {
        s.add(new double[start[p].length]);
      }
      slots.add(s);
    }
    List<Node> clipped = optimizer.clipGradients(ops, gs);
    List<Node> updates = new ArrayList<>();
    for (int p = 0; p < params; p++) {
      List<Node> slotNodes = new ArrayList<>();
      for (int k = 0; k < slotsPerParam; k++) {
        slotNodes.add(ops.variable("w" + p + "/" + optimizer.slotNames().get(k),
            start[p].length));
      }
      Optimizer.Update u = optimizer.update(ops, ws.get(p), clipped.get(p), slotNodes, step);
      updates.add(u.weight());
      updates.addAll(u.slots());
    }
    outputs.addAll(updates);
  }

  /** One step with these gradients (one per parameter); returns the new weights. */
  List<double[]> step(double[]... grads) {
    t++;
    Map<String, RefTensor> feeds = new HashMap<>();
    Map<String, RefTensor> vars = new HashMap<>();
    feeds.put("t", RefTensor.scalar(t));
    for (int p = 0; p < params; p++) {
      int n = weights.get(p).length;
      feeds.put("g" + p, new RefTensor(new int[] {n}, grads[p].clone()));
      vars.put("w" + p, new RefTensor(new int[] {n}, weights.get(p).clone()));
      for (int k = 0; k < slotsPerParam; k++) {
        vars.put("w" + p + "/" + optimizer.slotNames().get(k),
            new RefTensor(new int[] {n}, slots.get(p).get(k).clone()));
      }
    }
    List<RefTensor> out = Interpreter.run(outputs, feeds, vars);
    int i = 0;
    for (int p = 0; p < params; p++) {
      weights.set(p, out.get(i++).data().clone());
      for (int k = 0; k < slotsPerParam; k++) {
        slots.get(p).set(k, out.get(i++).data().clone());
      }
    }
    return List.copyOf(weights);
  }

  /** Slot {@code k} of parameter {@code p}. */
  double[] slot(int p, int k) {
    return slots.get(p).get(k);
  }
}
