package dev.backplane.io.keras;

import dev.backplane.io.Messages;
import dev.backplane.io.ModelFileException;
import dev.backplane.model.ParameterSpec;
import dev.backplane.spi.NamedArray;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads weights in the Keras 2 HDF5 layout, shared by {@code model.save("m.h5")} (under the group
 * {@code /model_weights}) and {@code model.save_weights("w.h5")} (at the root):
 *
 * <pre>
 * &lt;root&gt;                      attribute layer_names = ["dense", "dropout", "dense_1"]
 *   dense/                    attribute weight_names = ["dense/kernel:0", "dense/bias:0"]
 *     dense/kernel:0          float32 (inputs, units)
 *     dense/bias:0            float32 (units,)
 *   dropout/                  attribute weight_names = [] (Keras writes the group; see below)
 *   dense_1/ ...
 * </pre>
 *
 * <p>Each weight name is a path relative to its layer group (h5py creates the intermediate
 * groups), so names like {@code sequential/dense/kernel:0} of other Keras versions resolve the
 * same way. Weights are matched by layer name and taken in {@code weight_names} order (Keras's:
 * kernel, then bias); counts and shapes must match the architecture exactly, and a layer with
 * weights the architecture does not expect is an error. Groups of weightless layers are not
 * needed and may be absent.
 */
final class LegacyH5Weights {
  private LegacyH5Weights() {}

  static List<NamedArray> read(Path file, Group root, List<LayerParameters> layers) {
    List<String> layerNames = H5.strings(file, root, "layer_names");
    if (layerNames == null) {
      throw new ModelFileException(file, "HDF5 group " + H5.path(root) + " has no layer_names"
          + " attribute: it is not a Keras 2 weights group");
    }
    List<NamedArray> out = new ArrayList<>();
    Set<String> weighted = new HashSet<>();
    for (LayerParameters lp : layers) {
      KerasLayer layer = lp.layer();
      if (lp.parameters().isEmpty()) {
        continue;
      }
      weighted.add(layer.name());
      Group group = H5.group(root, layer.name());
      if (!layerNames.contains(layer.name()) || group == null) {
        throw new ModelFileException(file, "no weights for " + layer.describe() + " in "
            + H5.path(root) + "; the file has weights for layers " + Messages.list(layerNames));
      }
      List<String> names = H5.strings(file, group, "weight_names");
      if (names == null || names.size() != lp.parameters().size()) {
        throw new ModelFileException(file, layer.describe() + " has "
            + (names == null ? "no weight_names attribute" : names.size() + " weights "
                + Messages.list(names)) + " in " + H5.path(group) + " but needs " + lp.describeNeeds());
      }
      for (int i = 0; i < names.size(); i++) {
        ParameterSpec p = lp.parameters().get(i);
        Node node = child(group, names.get(i));
        float[] values = H5.floats(file, node, p.shape(), p.name() + " of "
            + layer.describe() + " ('" + names.get(i) + "')", lp.layoutOf(p));
        out.add(new NamedArray(layer.name() + "/" + p.name(), p.shape(), values));
      }
    }
    for (String name : layerNames) {
      Group group = H5.group(root, name);
      if (!weighted.contains(name) && group != null) {
        List<String> names = H5.strings(file, group, "weight_names");
        if (names != null && !names.isEmpty()) {
          throw new ModelFileException(file, "the file has weights " + Messages.list(names) + " for layer '"
              + name + "', which the architecture does not have or which has no weights there;"
              + " the weights do not belong to this architecture");
        }
      }
    }
    return out;
  }

  /** Resolves a weight name like {@code dense/kernel:0} under a layer group, or {@code null}. */
  private static Node child(Group group, String path) {
    Node node = group;
    for (String part : path.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      if (!(node instanceof Group g)) {
        return null;
      }
      node = g.getChildren().get(part);
      if (node == null) {
        return null;
      }
    }
    return node == group ? null : node;
  }
}
