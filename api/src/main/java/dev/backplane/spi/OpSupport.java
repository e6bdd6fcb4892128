package dev.backplane.spi;

import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Programs;
import dev.backplane.ops.Node;
import java.util.Set;

/** The compile-time check that a backend implements every op of a model's programs. */
public final class OpSupport {
  private OpSupport() {}

  /**
   * Checks every op of the programs against the backend's supported set.
   *
   * @throws UnsupportedFeatureException naming the first unsupported op, the layer that built it
   *     and the backend
   */
  public static void require(String backendId, Programs programs, Set<String> supported) {
    for (Program p : new Program[] {programs.train(), programs.evaluate(), programs.predict()}) {
      for (Node n : p.liveNodes()) {
        if (!supported.contains(n.opName())) {
          throw new UnsupportedFeatureException(backendId, "op '" + n.opName() + "'"
              + (n.layer().isEmpty() ? "" : " (in layer '" + n.layer() + "')")
              + "; it implements " + supported.size() + " ops, listed by `backplane ops`");
        }
      }
    }
  }
}
