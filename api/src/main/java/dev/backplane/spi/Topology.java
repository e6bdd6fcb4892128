package dev.backplane.spi;

import dev.backplane.model.Layer;
import dev.backplane.model.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a model's layers are wired: a DAG of layer calls. Values are numbered: the model inputs
 * first ({@code 0 .. inputs-1}), then the output of each call in order ({@code inputs + i}).
 * A layer called twice shares its weights. A {@code Sequential} model is a chain.
 *
 * <p>Several inputs reach a backend packed side by side in one {@code x} row per sample
 * (flattened, in input order); the api's graph slices them apart.
 *
 * @param inputShapes the per-sample shape of each model input
 * @param calls the layer calls in topological order
 * @param output the value the model outputs
 */
public record Topology(List<int[]> inputShapes, List<Call> calls, int output) {
  /**
   * One call of a layer.
   *
   * @param layer index into the model's layers
   * @param inputs value numbers of its inputs
   */
  public record Call(int layer, List<Integer> inputs) {
    /** Copies the inputs. */
    public Call {
      inputs = List.copyOf(inputs);
    }
  }

  /** Validates and copies. */
  public Topology {
    List<int[]> copy = new ArrayList<>();
    for (int[] s : inputShapes) {
      copy.add(s.clone());
    }
    inputShapes = List.copyOf(copy);
    calls = List.copyOf(calls);
    if (inputShapes.isEmpty()) {
      throw new IllegalArgumentException("A model needs at least one input");
    }
    int values = inputShapes.size();
    for (Call c : calls) {
      for (int v : c.inputs()) {
        if (v < 0 || v >= values) {
          throw new IllegalArgumentException("Call of layer " + c.layer() + " reads value " + v
              + " before it exists");
        }
      }
      values++;
    }
    if (output < 0 || output >= values) {
      throw new IllegalArgumentException("Output value " + output + " does not exist");
    }
  }

  /** A chain of {@code layers} layers on one input. */
  public static Topology chain(int[] inputShape, int layers) {
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      calls.add(new Call(i, List.of(i)));
    }
    return new Topology(List.of(inputShape), calls, layers);
  }

  /** Whether this is a plain chain over one input (a Sequential model). */
  public boolean isChain() {
    if (inputShapes.size() != 1 || output != calls.size()) {
      return false;
    }
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).layer() != i || !calls.get(i).inputs().equals(List.of(i))) {
        return false;
      }
    }
    return true;
  }

  /** The shape of {@code x} as a backend sees it: the input's, or the packed inputs' sizes. */
  public int[] packedInputShape() {
    if (inputShapes.size() == 1) {
      return inputShapes.get(0).clone();
    }
    int n = 0;
    for (int[] s : inputShapes) {
      n += Shapes.size(s);
    }
    return new int[] {n};
  }

  /**
   * The per-sample shape of every value for these layers.
   *
   * @throws IllegalArgumentException naming the layer whose inputs do not fit
   */
  public List<int[]> valueShapes(List<Layer> layers) {
    List<int[]> shapes = new ArrayList<>(inputShapes);
    for (Call c : calls) {
      Layer layer = layers.get(c.layer());
      List<int[]> in = new ArrayList<>();
      for (int v : c.inputs()) {
        in.add(shapes.get(v));
      }
      shapes.add(layer.outputShape(in));
    }
    return shapes;
  }

  /** The input shapes of each layer at its first call ({@code null} if never called). */
  public List<List<int[]>> layerInputShapes(List<Layer> layers) {
    List<int[]> values = valueShapes(layers);
    List<List<int[]>> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      out.add(null);
    }
    for (Call c : calls) {
      if (out.get(c.layer()) == null) {
        List<int[]> in = new ArrayList<>();
        for (int v : c.inputs()) {
          in.add(values.get(v));
        }
        out.set(c.layer(), in);
      }
    }
    for (int i = 0; i < out.size(); i++) {
      Objects.requireNonNull(out.get(i), () -> "layer is never called");
    }
    return out;
  }
}
