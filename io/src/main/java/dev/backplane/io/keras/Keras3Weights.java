package dev.backplane.io.keras;

import dev.backplane.io.ModelFileException;
import dev.backplane.model.ParameterSpec;
import dev.backplane.spi.NamedArray;
import io.jhdf.api.Group;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads weights in the Keras 3 layout: {@code model.weights.h5} inside a {@code .keras} zip, or a
 * {@code model.save_weights("m.weights.h5")} file. Verified against
 * {@code keras/src/saving/saving_lib.py}: {@code _save_state} walks the model, a Sequential yields
 * its {@code layers} (without the InputLayer) first, and {@code _save_container_state} names each
 * layer of a list by its <em>class</em> in snake case, numbering repeats ({@code dense},
 * {@code dense_1}, ...), not by the layer's name. Each saveable's own variables go to a
 * {@code vars} group under its path, numbered from 0 in the layer's order (Dense: kernel, then
 * bias):
 *
 * <pre>
 * /layers/dense/vars/0       float32 (inputs, units)   kernel
 * /layers/dense/vars/1       float32 (units,)          bias
 * /layers/dropout/vars       (empty)
 * /layers/dense_1/vars/0 ...
 * /optimizer/vars/..         optimizer state (not imported)
 * /vars                      the model's own variables (none for Sequential)
 * </pre>
 *
 * <p>Keras 2.13 to 2.15 wrote {@code _layer_checkpoint_dependencies} instead of {@code layers};
 * Keras 3 reads both, and so does this class.
 */
final class Keras3Weights {
  private Keras3Weights() {}

  static boolean matches(Group root) {
    return base(root) != null;
  }

  private static Group base(Group root) {
    Group layers = H5.group(root, "layers");
    return layers != null ? layers : H5.group(root, "_layer_checkpoint_dependencies");
  }

  static List<NamedArray> read(Path file, Group root, List<LayerParameters> layers) {
    Group base = base(root);
    if (base == null) {
      throw new ModelFileException(file, "HDF5 weights have no 'layers' group: not a Keras 3"
          + " weights file");
    }
    List<NamedArray> out = new ArrayList<>();
    Map<String, Integer> used = new HashMap<>();
    Set<String> visited = new HashSet<>();
    for (LayerParameters lp : layers) {
      KerasLayer layer = lp.layer();
      String key = snakeCase(layer.kerasClass());
      Integer n = used.merge(key, 0, (a, b) -> a + 1);
      key = n == 0 ? key : key + "_" + n;
      visited.add(key);
      Group layerGroup = H5.group(base, key);
      Group vars = layerGroup == null ? null : H5.group(layerGroup, "vars");
      int count = vars == null ? 0 : vars.getChildren().size();
      if (count != lp.parameters().size()) {
        throw new ModelFileException(file, H5.path(base) + "/" + key + "/vars holds " + count
            + " arrays but " + layer.describe() + " needs " + lp.describeNeeds());
      }
      for (int i = 0; i < count; i++) {
        ParameterSpec p = lp.parameters().get(i);
        float[] values = H5.floats(file, vars.getChildren().get(Integer.toString(i)), p.shape(),
            p.name() + " of " + layer.describe() + " (" + H5.path(base) + "/" + key + "/vars/"
                + i + ")", lp.layoutOf(p));
        out.add(new NamedArray(layer.name() + "/" + p.name(), p.shape(), values));
      }
    }
    for (String key : base.getChildren().keySet()) {
      Group vars = H5.group(base, key) == null ? null : H5.group(H5.group(base, key), "vars");
      if (!visited.contains(key) && vars != null && !vars.getChildren().isEmpty()) {
        throw new ModelFileException(file, "the file has weights under " + H5.path(base) + "/"
            + key + " for a layer the architecture does not have");
      }
    }
    return out;
  }

  /** Keras's {@code naming.to_snake_case}: {@code LeakyReLU} → {@code leaky_re_lu}. */
  static String snakeCase(String name) {
    String s = name.replaceAll("\\W+", "");
    s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
