package dev.backplane.model;

import java.util.List;
import java.util.Locale;

/** Renders Keras's {@code model.summary()} table. */
final class Summary {
  private static final int[] COLUMNS = {29, 26, 10};
  private static final int WIDTH = 65;

  private Summary() {}

  static String render(String name, int[] inputShape, List<Layer> layers) {
    StringBuilder b = new StringBuilder();
    b.append("Model: \"").append(name).append("\"\n");
    b.append("_".repeat(WIDTH)).append('\n');
    row(b, " Layer (type)", "Output Shape", "Param #");
    b.append("=".repeat(WIDTH)).append('\n');
    long total = 0;
    int[] shape = inputShape;
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      long params = 0;
      for (ParameterSpec p : l.parameters(shape)) {
        params += p.size();
      }
      shape = l.outputShape(shape);
      total += params;
      row(b, " " + l.name() + " (" + l.kerasClass() + ")", Shapes.withBatch(shape),
          Long.toString(params));
      if (i < layers.size() - 1) {
        b.append(" ".repeat(WIDTH)).append('\n');
      }
    }
    b.append("=".repeat(WIDTH)).append('\n');
    b.append("Total params: ").append(count(total)).append('\n');
    b.append("Trainable params: ").append(count(total)).append('\n');
    b.append("Non-trainable params: ").append(count(0)).append('\n');
    b.append("_".repeat(WIDTH));
    return b.toString();
  }

  private static void row(StringBuilder b, String a, String c, String d) {
    b.append(pad(a, COLUMNS[0])).append(pad(c, COLUMNS[1])).append(pad(d, COLUMNS[2]))
        .append('\n');
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }

  /** Keras's form: {@code 1,537 (6.00 KB)}, float32 bytes. */
  static String count(long params) {
    double bytes = params * 4.0;
    String size;
    if (bytes < 1024) {
      size = String.format(Locale.ROOT, "%.2f Byte", bytes);
    } else if (bytes < 1024 * 1024) {
      size = String.format(Locale.ROOT, "%.2f KB", bytes / 1024);
    } else {
      size = String.format(Locale.ROOT, "%.2f MB", bytes / (1024 * 1024));
    }
    return String.format(Locale.ROOT, "%,d", params) + " (" + size + ")";
  }
}
