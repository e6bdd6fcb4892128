package dev.backplane.spi;

import dev.backplane.Device;
import dev.backplane.model.ProgramBuilder;
import dev.backplane.model.Programs;
import dev.backplane.ops.Interpreter;
import dev.backplane.ops.Node;
import dev.backplane.ops.RefTensor;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An executable that runs a model's programs on the float64 reference {@link Interpreter},
 * storing state as float32 after each step (as every backend does). It shares no kernel with
 * any backend, so it is the reference the conformance kit and tests compare against. Slow by
 * design. Thread-safe: every call is synchronized.
 */
public final class InterpreterExecutable implements Executable {
  private final ModelSpec spec;
  private final Device device;
  private final Programs programs;
  private final Map<String, NamedArray> state = new LinkedHashMap<>();
  private long iterations;
  private boolean closed;
  /** Built on first use: only data-parallel training needs them. */
  private Program gradientsProgram;
  private Program applyProgram;

  /** Compiles a spec for the interpreter (builds its programs) and loads its initial state. */
  public InterpreterExecutable(ModelSpec spec, Device device) {
    this.spec = spec;
    this.device = device;
    this.programs = spec.programs();
    load(spec.initialState());
  }

  /** The programs being interpreted. */
  public Programs programs() {
    return programs;
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public synchronized double trainStep(Tensor x, Tensor y, float[] outputs) {
    Program p = programs.train();
    List<Node> roots = new ArrayList<>(List.of(p.loss(), p.output()));
    List<String> names = new ArrayList<>(p.updates().keySet());
    roots.addAll(p.updates().values());
    List<RefTensor> values = run(p, roots, x, y);
    copyOutputs(values.get(1), outputs);
    for (int i = 0; i < names.size(); i++) {
      NamedArray old = state.get(names.get(i));
      state.put(names.get(i), new NamedArray(old.name(), old.shape(),
          values.get(2 + i).toFloats()));
    }
    iterations++;
    return values.get(0).data()[0];
  }

  @Override
  public synchronized double computeGradients(Tensor x, Tensor y, float[] outputs,
      float[][] gradients) {
    if (gradientsProgram == null) {
      gradientsProgram = ProgramBuilder.build(spec, Program.Kind.GRADIENTS);
    }
    Program p = gradientsProgram;
    if (gradients.length != p.updates().size()) {
      throw new IllegalArgumentException("gradients has " + gradients.length + " arrays but model '"
          + spec.name() + "' has " + p.updates().size() + " trainable variables");
    }
    List<Node> roots = new ArrayList<>(List.of(p.loss(), p.output()));
    roots.addAll(p.updates().values());
    List<RefTensor> values = run(p, roots, x, y);
    copyOutputs(values.get(1), outputs);
    for (int k = 0; k < gradients.length; k++) {
      RefTensor g = values.get(2 + k);
      if (gradients[k].length != g.size()) {
        throw new IllegalArgumentException("gradients[" + k + "] has " + gradients[k].length
            + " values but variable '" + names(p).get(k) + "' has " + g.size());
      }
      for (int i = 0; i < g.size(); i++) {
        gradients[k][i] = (float) g.data()[i];
      }
    }
    return values.get(0).data()[0];
  }

  @Override
  public synchronized void applyGradients(float[][] gradientSums, int samples) {
    ensureOpen();
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be at least 1, got " + samples);
    }
    if (applyProgram == null) {
      applyProgram = ProgramBuilder.build(spec, Program.Kind.APPLY);
    }
    Program p = applyProgram;
    Map<String, RefTensor> feeds = new HashMap<>();
    feeds.put("iteration", RefTensor.scalar((int) iterations));
    feeds.put("scale", RefTensor.scalar(1.0 / samples));
    int k = 0;
    for (Map.Entry<String, Node> e : p.inputs().entrySet()) {
      if (e.getKey().startsWith(Program.GRADIENT_INPUT)) {
        if (k >= gradientSums.length || gradientSums[k].length != size(e.getValue().shape())) {
          throw new IllegalArgumentException("gradientSums do not match the trainable variables"
              + " of model '" + spec.name() + "' at " + e.getKey());
        }
        feeds.put(e.getKey(), RefTensor.of(gradientSums[k], e.getValue().shape()));
        k++;
      }
    }
    if (k != gradientSums.length) {
      throw new IllegalArgumentException("gradientSums has " + gradientSums.length
          + " arrays but model '" + spec.name() + "' has " + k + " trainable variables");
    }
    Map<String, RefTensor> vars = new HashMap<>();
    for (NamedArray a : state.values()) {
      vars.put(a.name(), RefTensor.of(a.values(), a.shape()));
    }
    List<String> names = new ArrayList<>(p.updates().keySet());
    List<RefTensor> values = Interpreter.run(new ArrayList<>(p.updates().values()), feeds, vars);
    for (int i = 0; i < names.size(); i++) {
      NamedArray old = state.get(names.get(i));
      state.put(names.get(i), new NamedArray(old.name(), old.shape(), values.get(i).toFloats()));
    }
    iterations++;
  }

  private static List<String> names(Program p) {
    return new ArrayList<>(p.updates().keySet());
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public synchronized double evaluateStep(Tensor x, Tensor y, float[] outputs) {
    Program p = programs.evaluate();
    List<RefTensor> values = run(p, List.of(p.loss(), p.output()), x, y);
    copyOutputs(values.get(1), outputs);
    return values.get(0).data()[0];
  }

  @Override
  public synchronized void predict(Tensor x, float[] outputs) {
    Program p = programs.predict();
    copyOutputs(run(p, List.of(p.output()), x, null).get(0), outputs);
  }

  private List<RefTensor> run(Program p, List<Node> roots, Tensor x, Tensor y) {
    ensureOpen();
    Map<String, RefTensor> feeds = new HashMap<>();
    feeds.put("x", feed(x, p.input("x").shape()));
    if (y != null) {
      feeds.put("y", feed(y, p.input("y").shape()));
    }
    feeds.put("iteration", RefTensor.scalar((int) iterations));
    Map<String, RefTensor> vars = new HashMap<>();
    for (NamedArray a : state.values()) {
      vars.put(a.name(), RefTensor.of(a.values(), a.shape()));
    }
    return Interpreter.run(roots, feeds, vars);
  }

  private static RefTensor feed(Tensor t, int[] shape) {
    int[] s = shape.clone();
    s[0] = t.rows();
    float[] values = new float[t.size()];
    System.arraycopy(t.data(), t.offset(), values, 0, values.length);
    long per = 1;
    for (int i = 1; i < s.length; i++) {
      per *= s[i];
    }
    if (per * t.rows() != values.length) {
      throw new IllegalArgumentException("Tensor of shape " + java.util.Arrays.toString(t.shape())
          + " does not fit input " + java.util.Arrays.toString(shape));
    }
    return RefTensor.of(values, s);
  }

  private static void copyOutputs(RefTensor out, float[] outputs) {
    if (outputs.length < out.size()) {
      throw new IllegalArgumentException("outputs has " + outputs.length + " values but the batch"
          + " needs " + out.size());
    }
    for (int i = 0; i < out.size(); i++) {
      outputs[i] = (float) out.data()[i];
    }
  }

  @Override
  public synchronized ModelState snapshot() {
    ensureOpen();
    ModelState initial = spec.initialState();
    return new ModelState(current(initial.parameters()), current(initial.variables()),
        current(initial.slots()), iterations).copy();
  }

  private List<NamedArray> current(List<NamedArray> like) {
    List<NamedArray> out = new ArrayList<>(like.size());
    for (NamedArray a : like) {
      out.add(state.get(a.name()));
    }
    return out;
  }

  @Override
  public synchronized void restore(ModelState s) {
    ensureOpen();
    load(s);
  }

  private void load(ModelState s) {
    spec.checkCompatible(s);
    ModelState c = s.copy();
    for (List<NamedArray> list : List.of(c.parameters(), c.variables(), c.slots())) {
      for (NamedArray a : list) {
        state.put(a.name(), a);
      }
    }
    iterations = c.iterations();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Model '" + spec.name() + "' on " + device + " is closed");
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
