package dev.backplane.spi;

import dev.backplane.ops.Graph;
import dev.backplane.ops.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One computation a backend compiles: a graph of ops with named inputs, outputs and variable
 * updates, built by the api (forward, loss, gradients, optimizer update). A backend executes it
 * as given; it never differentiates and never sees layers.
 *
 * <p>Inputs: {@code x} (the batch, {@code (None, inputShape...)}), {@code y} (labels; not in
 * {@link Kind#PREDICT}) and {@code iteration} (int32 scalar, the optimizer steps taken so far).
 * Outputs: {@link #output()} (the model output) and, except in predict, {@link #loss()} (the sum
 * over the batch of the per-sample losses; with {@link dev.backplane.model.Loss#sampleWeighted()}
 * the labels' last column is each sample's weight and the loss sums the weighted losses).
 * Updates: in {@link Kind#TRAIN}, the new value of each variable, all computed from the values
 * before the step and then written together.
 */
public final class Program {
  /** Which computation. */
  public enum Kind {
    /** Forward in training mode, loss, gradients, optimizer and state updates. */
    TRAIN,
    /** Forward in inference mode and the loss; no updates. */
    EVALUATE,
    /** Forward in inference mode. */
    PREDICT,
    /**
     * Forward in training mode, loss and the gradients of the batch's loss <em>sum</em>, not
     * applied: {@link #updates()} maps each trainable variable's name to its gradient (the
     * backend returns them instead of writing them). For data-parallel training, where the sums
     * of several shards' gradients make the batch's gradient.
     */
    GRADIENTS,
    /**
     * The optimizer update from given gradient sums: inputs {@code iteration}, {@code scale}
     * (float32 scalar, 1 / the global batch size) and {@value #GRADIENT_INPUT}{@code <name>} per
     * trainable variable; {@link #updates()} as in {@link #TRAIN}; no loss; {@link #output()} is
     * the {@code scale} input (there is no model output). An {@code x} input is declared but
     * unused, so compilers that look it up still work.
     */
    APPLY
  }

  /** The prefix of an {@link Kind#APPLY} program's gradient inputs, before the variable name. */
  public static final String GRADIENT_INPUT = "gradient:";

  private final Kind kind;
  private final Graph graph;
  private final Map<String, Node> inputs;
  private final Node output;
  private final Node loss;
  private final Map<String, Node> updates;

  /**
   * A program.
   *
   * @param inputs input nodes by name ({@code x}, {@code y}, {@code iteration})
   * @param loss the loss sum, {@code null} for predict and apply
   * @param updates new variable values by variable name (train and apply), or gradients by
   *     variable name (gradients)
   */
  public Program(Kind kind, Graph graph, Map<String, Node> inputs, Node output, Node loss,
      Map<String, Node> updates) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.graph = Objects.requireNonNull(graph, "graph");
    this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    this.output = Objects.requireNonNull(output, "output");
    this.loss = loss;
    this.updates = Collections.unmodifiableMap(new LinkedHashMap<>(updates));
    if (kind != Kind.PREDICT && kind != Kind.APPLY && loss == null) {
      throw new IllegalArgumentException(kind + " program needs a loss");
    }
  }

  /** Which computation this is. */
  public Kind kind() {
    return kind;
  }

  /** The graph (read-only once built). */
  public Graph graph() {
    return graph;
  }

  /** Input nodes by name. */
  public Map<String, Node> inputs() {
    return inputs;
  }

  /** The input node {@code name} ({@code x}, {@code y}, {@code iteration}), or {@code null}. */
  public Node input(String name) {
    return inputs.get(name);
  }

  /** The model output. */
  public Node output() {
    return output;
  }

  /** The sum over the batch of the per-sample losses; {@code null} in predict. */
  public Node loss() {
    return loss;
  }

  /**
   * New value per variable name, applied after the step ({@link Kind#TRAIN}, {@link Kind#APPLY}),
   * or the gradient per trainable variable name ({@link Kind#GRADIENTS}); else empty.
   */
  public Map<String, Node> updates() {
    return updates;
  }

  /** Every node the outputs and updates need, in topological order. */
  public List<Node> liveNodes() {
    boolean[] live = new boolean[graph.size()];
    List<Node> roots = new ArrayList<>(updates.values());
    roots.add(output);
    if (loss != null) {
      roots.add(loss);
    }
    for (Node r : roots) {
      live[r.id()] = true;
    }
    for (int i = graph.size() - 1; i >= 0; i--) {
      if (live[i]) {
        for (Node in : graph.node(i).inputs()) {
          live[in.id()] = true;
        }
      }
    }
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < live.length; i++) {
      if (live[i]) {
        out.add(graph.node(i));
      }
    }
    return out;
  }

  /** The names of the ops the program uses, in first-use order. */
  public Set<String> opNames() {
    Set<String> names = new LinkedHashSet<>();
    for (Node n : liveNodes()) {
      names.add(n.opName());
    }
    return names;
  }

  /** The variable nodes the program reads. */
  public List<Node> variables() {
    List<Node> out = new ArrayList<>();
    for (Node n : liveNodes()) {
      if (n.opName().equals("variable")) {
        out.add(n);
      }
    }
    return out;
  }
}
