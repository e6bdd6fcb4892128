package dev.backplane.optimizer;

import dev.backplane.ops.Graph;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/** Keras's {@code _clip_gradients} as graphs. */
final class Clipping {
  /**
   * Appended to the graph scope of the nodes {@link #global} builds, so that {@link #perParameter}
   * can tell a globally clipped gradient from one that skipped {@code clipGradients}.
   */
  static final String GLOBAL_MARK = " [global_clipnorm]";

  private Clipping() {}

  static Node perParameter(Ops ops, GradientClipping c, Node g) {
    if (c.clipnorm() > 0) {
      // g * clipnorm / max(||g||, clipnorm), the norm over every element
      Node norm = ops.sqrt(ops.sum(ops.square(g)));
      Node clip = ops.scalar(c.clipnorm());
      return ops.div(ops.mul(g, clip), ops.maximum(norm, clip));
    }
    if (c.clipvalue() > 0) {
      return ops.clip(g, -c.clipvalue(), c.clipvalue());
    }
    if (c.globalClipnorm() > 0 && !g.layer().endsWith(GLOBAL_MARK)) {
      throw new IllegalStateException("global_clipnorm=" + c.globalClipnorm() + " clips by the"
          + " norm of all gradients together: pass every gradient through"
          + " Optimizer.clipGradients(ops, grads) before update(); got the unclipped " + g);
    }
    return g;
  }

  static List<Node> global(Ops ops, GradientClipping c, List<Node> grads) {
    if (!(c.globalClipnorm() > 0) || grads.isEmpty()) {
      return List.copyOf(grads);
    }
    Graph graph = ops.graph();
    String scope = graph.scope(graph.scope() + GLOBAL_MARK);
    try {
      Node squares = null;
      for (Node g : grads) {
        Node s = ops.sum(ops.square(g));
        squares = squares == null ? s : ops.add(squares, s);
      }
      Node norm = ops.sqrt(squares);
      double clip = c.globalClipnorm();
      // Keras: clip * min(1 / norm, 1 / clip) + (norm - norm), NaN unless the norm is finite
      Node scale = ops.add(ops.mul(ops.scalar(clip), ops.minimum(ops.div(ops.scalar(1), norm),
          ops.scalar(1 / clip))), ops.sub(norm, norm));
      List<Node> out = new ArrayList<>(grads.size());
      for (Node g : grads) {
        out.add(ops.mul(g, scale));
      }
      return List.copyOf(out);
    } finally {
      graph.scope(scope);
    }
  }
}
