package dev.backplane.io.keras;

import dev.backplane.io.ModelFileException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.FloatingPoint;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Small, defensive reads from an HDF5 file through jhdf: string attributes (h5py stores them as
 * fixed- or variable-length strings, scalars or arrays) and float datasets whose shape is checked
 * against the expected one <em>before</em> the data is read, so a forged shape cannot make the
 * reader allocate more than the model needs.
 */
final class H5 {
  private H5() {}

  /**
   * Opens an HDF5 file for reading from a read-only memory map. jhdf then slices the mapped
   * buffer for every structure it reads, so a corrupt size field fails with an exception; read
   * through a file channel it would first allocate a buffer of the forged size (found by the
   * fuzz test: a flipped object-header length made jhdf allocate gigabytes). Files over 2 GiB,
   * which one buffer cannot map, are read through a channel.
   */
  static HdfFile open(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        return new HdfFile(file);
      }
      return HdfFile.fromByteBuffer(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read the file: " + e, e);
    }
  }

  /** A node's path without jhdf's trailing slash on groups, e.g. {@code /model_weights}. */
  static String path(Node node) {
    String p = node.getPath();
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** A child group, or {@code null} if there is none or it is not a group. */
  static Group group(Group parent, String name) {
    Node child = parent.getChildren().get(name);
    return child instanceof Group g ? g : null;
  }

  /** A string attribute; {@code null} if absent. */
  static String string(Path file, Node node, String name) {
    List<String> values = strings(file, node, name);
    if (values == null) {
      return null;
    }
    if (values.size() != 1) {
      throw new ModelFileException(file, "HDF5 attribute '" + name + "' of " + H5.path(node)
          + " must be one string but holds " + values.size());
    }
    return values.get(0);
  }

  /** A string-array attribute (a scalar string reads as one element); {@code null} if absent. */
  static List<String> strings(Path file, Node node, String name) {
    Attribute attribute = node.getAttributes().get(name);
    if (attribute == null) {
      return null;
    }
    if (attribute.isEmpty()) {
      return List.of();
    }
    Object data = attribute.getData();
    if (data instanceof String s) {
      return List.of(s);
    }
    if (data instanceof String[] a) {
      return List.of(a);
    }
    if (data instanceof byte[] b) {
      return List.of(new String(b, StandardCharsets.UTF_8));
    }
    throw new ModelFileException(file, "HDF5 attribute '" + name + "' of " + H5.path(node)
        + " must hold strings but holds " + attribute.getJavaType().getSimpleName()
        + (attribute.getDimensions().length > 0 ? Arrays.toString(attribute.getDimensions())
            : ""));
  }

  /**
   * Reads a float dataset of exactly the expected shape as float32.
   *
   * @param what the weight, for messages, e.g. {@code "kernel of layer 'dense' (Dense)"}
   */
  static float[] floats(Path file, Node node, int[] expected, String what) {
    return floats(file, node, expected, what, "");
  }

  /** As above; {@code layout} (which arguments the shape follows from) ends a shape error. */
  static float[] floats(Path file, Node node, int[] expected, String what, String layout) {
    if (!(node instanceof Dataset d)) {
      throw new ModelFileException(file, what + ": " + (node == null ? "missing"
          : H5.path(node) + " is not a dataset"));
    }
    int[] dims = d.isScalar() ? new int[0] : d.getDimensions();
    if (!Arrays.equals(dims, expected)) {
      throw new ModelFileException(file, what + " has shape " + Arrays.toString(dims) + " at "
          + H5.path(d) + " but the architecture needs " + Arrays.toString(expected)
          + (layout.isEmpty() ? "" : "; " + layout));
    }
    if (!(d.getDataType() instanceof FloatingPoint) || d.getAttributes().containsKey("dtype")) {
      throw new ModelFileException(file, what + " at " + H5.path(d) + " is not a float16,"
          + " float32 or float64 dataset (type " + d.getDataType().getClass().getSimpleName()
          + (d.getAttributes().containsKey("dtype") ? ", stored as "
              + H5.string(file, d, "dtype") : "") + ")");
    }
    Object data = d.getDataFlat();
    if (data instanceof float[] f) {
      return f;
    }
    if (data instanceof double[] values) {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      return f;
    }
    throw new ModelFileException(file, what + " at " + H5.path(d) + " reads as "
        + data.getClass().getSimpleName() + ", not float or double");
  }
}
