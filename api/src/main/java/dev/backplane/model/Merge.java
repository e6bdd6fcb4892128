package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Keras's element-wise merge layers: {@code Add}, {@code Subtract} (exactly two inputs),
 * {@code Multiply} and {@code Average}, on inputs of one shape.
 *
 * @param kind which merge
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Merge(Kind kind, String name) implements Layer {
  /** The merge operation. */
  public enum Kind {
    /** Sum of the inputs. */
    ADD,
    /** First input minus the second. */
    SUBTRACT,
    /** Product of the inputs. */
    MULTIPLY,
    /** Mean of the inputs. */
    AVERAGE
  }

  /** Keras's {@code Add()}. */
  public static Merge add() {
    return new Merge(Kind.ADD, null);
  }

  /** Keras's {@code Subtract()}. */
  public static Merge subtract() {
    return new Merge(Kind.SUBTRACT, null);
  }

  /** Keras's {@code Multiply()}. */
  public static Merge multiply() {
    return new Merge(Kind.MULTIPLY, null);
  }

  /** Keras's {@code Average()}. */
  public static Merge average() {
    return new Merge(Kind.AVERAGE, null);
  }

  @Override
  public String kerasClass() {
    String k = kind.name().toLowerCase(Locale.ROOT);
    return Character.toUpperCase(k.charAt(0)) + k.substring(1);
  }

  @Override
  public Merge withName(String newName) {
    return new Merge(kind, newName);
  }

  @Override
  public int inputCount() {
    return kind == Kind.SUBTRACT ? 2 : -1;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    throw new IllegalArgumentException("Layer '" + name + "' (" + kerasClass() + ") merges at"
        + " least 2 inputs; call it on a list of tensors");
  }

  @Override
  public int[] outputShape(List<int[]> inputShapes) {
    if (inputShapes.size() < 2 || kind == Kind.SUBTRACT && inputShapes.size() != 2) {
      throw new IllegalArgumentException("Layer '" + name + "' (" + kerasClass() + ") needs "
          + (kind == Kind.SUBTRACT ? "exactly 2" : "at least 2") + " inputs, got "
          + inputShapes.size());
    }
    for (int[] s : inputShapes) {
      if (!Arrays.equals(s, inputShapes.get(0))) {
        throw new IllegalArgumentException("Layer '" + name + "' (" + kerasClass() + ") needs"
            + " inputs of one shape, got " + inputShapes.stream().map(Shapes::withBatch).toList());
      }
    }
    return inputShapes.get(0).clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of();
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    throw new IllegalArgumentException("Layer '" + name + "' (" + kerasClass() + ") merges at"
        + " least 2 inputs");
  }

  @Override
  public Node call(LayerContext ctx, List<Node> inputs) {
    Ops ops = ctx.ops();
    Node acc = inputs.get(0);
    for (int i = 1; i < inputs.size(); i++) {
      Node x = inputs.get(i);
      acc = switch (kind) {
        case ADD, AVERAGE -> ops.add(acc, x);
        case SUBTRACT -> ops.sub(acc, x);
        case MULTIPLY -> ops.mul(acc, x);
      };
    }
    return kind == Kind.AVERAGE ? ops.div(acc, ops.scalar(inputs.size())) : acc;
  }
}
