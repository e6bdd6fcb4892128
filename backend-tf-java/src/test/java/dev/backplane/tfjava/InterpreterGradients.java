package dev.backplane.tfjava;

import dev.backplane.model.ProgramBuilder;
import dev.backplane.ops.Gradients;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.ops.RefTensor;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The api's training-mode loss and its gradients (by {@link Gradients}) run on the api's float64
 * {@link Interpreter}, with float64 parameters that tests may perturb: the reference the TF
 * gradients are checked against.
 */
final class InterpreterGradients {
  private final ModelSpec spec;
  private final Program program;
  private final Node loss;
  private final List<Node> gradients;
  private final double[][] parameters;

  InterpreterGradients(ModelSpec spec) {
    this.spec = spec;
    this.program = ProgramBuilder.build(spec, Program.Kind.TRAIN);
    Ops ops = new Ops(program.graph());
    this.loss = program.loss();
    List<NamedArray> params = spec.initialState().parameters();
    List<Node> wrt = TfJavaExecutable.parameterNodes(program, ops, params);
    Node mean = ops.div(loss, ops.numel(program.input("x"), new int[] {0}));
    parameters = new double[params.size()][];
    for (int p = 0; p < params.size(); p++) {
      float[] v = params.get(p).values();
      parameters[p] = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        parameters[p][i] = v[i];
      }
    }
    List<Node> grads = new ArrayList<>();
    List<Node> raw = Gradients.of(mean, wrt);
    for (int p = 0; p < raw.size(); p++) {
      grads.add(raw.get(p) == null ? ops.zerosLike(wrt.get(p)) : raw.get(p));
    }
    this.gradients = grads;
  }

  /** The parameters, in state order; writes change later passes. */
  double[][] parameters() {
    return parameters;
  }

  /** The sum over the batch of the per-sample losses. */
  double lossSum(Tensor x, Tensor y) {
    return run(List.of(loss), x, y).get(0).data()[0];
  }

  /** The gradients of the batch-mean loss, in parameter order. */
  double[][] gradients(Tensor x, Tensor y) {
    List<RefTensor> values = run(gradients, x, y);
    double[][] out = new double[values.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).data().clone();
    }
    return out;
  }

  private List<RefTensor> run(List<Node> roots, Tensor x, Tensor y) {
    Map<String, RefTensor> feeds = new HashMap<>();
    feeds.put("x", feed(x, program.input("x").shape()));
    feeds.put("y", feed(y, program.input("y").shape()));
    feeds.put("iteration", RefTensor.scalar(0));
    Map<String, RefTensor> vars = new HashMap<>();
    ModelState s = spec.initialState();
    for (List<NamedArray> group : List.of(s.variables(), s.slots())) {
      for (NamedArray a : group) {
        vars.put(a.name(), RefTensor.of(a.values(), a.shape()));
      }
    }
    for (int p = 0; p < parameters.length; p++) {
      NamedArray a = s.parameters().get(p);
      vars.put(a.name(), new RefTensor(a.shape(), parameters[p].clone()));
    }
    return Interpreter.run(roots, feeds, vars);
  }

  private static RefTensor feed(Tensor t, int[] shape) {
    int[] s = shape.clone();
    s[0] = t.rows();
    float[] values = new float[t.size()];
    System.arraycopy(t.data(), t.offset(), values, 0, values.length);
    return RefTensor.of(values, s);
  }
}
