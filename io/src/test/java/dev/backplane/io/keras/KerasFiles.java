package dev.backplane.io.keras;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes test files in the exact layouts Keras writes, with jhdf 0.9.4's writer.
 *
 * <p>Two jhdf 0.9.4 writer limitations shape these files, and neither changes what the reader
 * is tested on: it cannot write a zero-length string-array attribute (ArrayIndexOutOfBounds), and
 * a file with an empty group (no children) next to other groups reads back as corrupt. Keras
 * writes both for weightless layers (a {@code dropout} group with {@code weight_names = []}, or
 * an empty {@code layers/dropout/vars}); the reader never needs those groups, so these files
 * leave them out and list the layer in {@code layer_names} only.
 */
public final class KerasFiles {
  private KerasFiles() {}

  /** One layer's weights in Keras order (kernel as {@code float[in][out]}, then bias). */
  public record LayerWeights(String layer, List<Object> arrays) {
    public static LayerWeights of(String layer, Object... arrays) {
      return new LayerWeights(layer, List.of(arrays));
    }
  }

  /** JSON with single quotes, for readable literals. */
  public static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  /**
   * {@code model.save("m.h5")} in Keras 2: root attributes {@code model_config},
   * {@code training_config} (optional), {@code keras_version}, {@code backend}; group
   * {@code model_weights} as written by {@link #writeLegacyWeights}.
   */
  public static void kerasH5Model(Path file, String modelConfig, String trainingConfig,
      List<String> layerNames, List<LayerWeights> weights) {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      h5.putAttribute("keras_version", "2.6.0");
      h5.putAttribute("backend", "tensorflow");
      h5.putAttribute("model_config", modelConfig);
      if (trainingConfig != null) {
        h5.putAttribute("training_config", trainingConfig);
      }
      writeLegacyWeights(h5.putGroup("model_weights"), layerNames, weights);
    }
  }

  /** {@code model.save_weights("w.h5")} in Keras 2: the same weight groups at the root. */
  public static void kerasH5Weights(Path file, List<String> layerNames,
      List<LayerWeights> weights) {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      writeLegacyWeights(h5, layerNames, weights);
    }
  }

  /**
   * Keras 2 weight groups: attribute {@code layer_names} on the parent; per layer with weights a
   * group {@code <layer>} with attribute {@code weight_names = ["<layer>/kernel:0",
   * "<layer>/bias:0"]} and the datasets at those paths ({@code <layer>/<layer>/kernel:0}).
   */
  static void writeLegacyWeights(WritableGroup parent, List<String> layerNames,
      List<LayerWeights> weights) {
    parent.putAttribute("backend", "tensorflow");
    parent.putAttribute("keras_version", "2.6.0");
    parent.putAttribute("layer_names", layerNames.toArray(new String[0]));
    for (LayerWeights w : weights) {
      WritableGroup group = parent.putGroup(w.layer());
      List<String> names = new ArrayList<>();
      WritableGroup inner = group.putGroup(w.layer());
      for (int i = 0; i < w.arrays().size(); i++) {
        String name = (i == 0 ? "kernel:0" : "bias:0");
        names.add(w.layer() + "/" + name);
        inner.putDataset(name, w.arrays().get(i));
      }
      group.putAttribute("weight_names", names.toArray(new String[0]));
    }
  }

  /**
   * Keras 3 weights ({@code model.weights.h5} or {@code .weights.h5}): {@code /layers/<key>/vars/
   * <i>} with {@code key} the snake-cased class name, numbered per class.
   */
  public static void keras3Weights(Path file, Map<String, List<Object>> byKey) {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      WritableGroup layers = h5.putGroup("layers");
      byKey.forEach((key, arrays) -> {
        WritableGroup vars = layers.putGroup(key).putGroup("vars");
        for (int i = 0; i < arrays.size(); i++) {
          vars.putDataset(Integer.toString(i), arrays.get(i));
        }
      });
    }
  }

  /** A {@code .keras} zip: {@code metadata.json}, {@code config.json}, {@code model.weights.h5}. */
  public static void kerasArchive(Path file, String config, Map<String, List<Object>> weights)
      throws IOException {
    Path h5 = Files.createTempFile(file.getParent(), "weights", ".h5");
    keras3Weights(h5, weights);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("metadata.json", json("{'keras_version': '3.3.3', 'date_saved':"
        + " '2024-06-11@10:00:00'}").getBytes(StandardCharsets.UTF_8));
    entries.put("config.json", config.getBytes(StandardCharsets.UTF_8));
    entries.put("model.weights.h5", Files.readAllBytes(h5));
    try (OutputStream out = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    Files.delete(h5);
  }
}
