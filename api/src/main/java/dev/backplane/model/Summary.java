package dev.backplane.model;

import dev.backplane.spi.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders Keras's {@code model.summary()} table. */
final class Summary {
  private static final int[] COLUMNS = {29, 26, 10};
  private static final int WIDTH = 65;
  private static final int CONNECTED = 33;

  private Summary() {}

  static String render(String name, List<Layer> layers, Topology topology, boolean functional) {
    StringBuilder b = new StringBuilder();
    int width = functional ? WIDTH + CONNECTED : WIDTH;
    b.append("Model: \"").append(name).append("\"\n");
    b.append("_".repeat(width)).append('\n');
    row(b, functional, " Layer (type)", "Output Shape", "Param #", "Connected to");
    b.append("=".repeat(width)).append('\n');
    long trainable = 0;
    long frozen = 0;
    List<int[]> values = topology.valueShapes(layers);
    List<List<int[]>> firstInputs = topology.layerInputShapes(layers);
    int inputs = topology.inputShapes().size();
    List<String> valueNames = new ArrayList<>();
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < inputs; i++) {
      String input = inputs == 1 ? "input_layer" : "input_layer_" + i;
      valueNames.add(input);
      if (functional) {
        rows.add(line(functional, " " + input + " (InputLayer)",
            Shapes.withBatch(topology.inputShapes().get(i)), "0", ""));
      }
    }
    boolean[] counted = new boolean[layers.size()];
    for (int c = 0; c < topology.calls().size(); c++) {
      Topology.Call call = topology.calls().get(c);
      Layer l = layers.get(call.layer());
      long params = 0;
      if (!counted[call.layer()]) {
        counted[call.layer()] = true;
        for (ParameterSpec p : l.parameters(firstInputs.get(call.layer()))) {
          params += p.size();
          if (p.trainable()) {
            trainable += p.size();
          } else {
            frozen += p.size();
          }
        }
      }
      List<String> from = new ArrayList<>();
      for (int v : call.inputs()) {
        from.add(valueNames.get(v) + "[0][0]");
      }
      valueNames.add(l.name());
      rows.add(line(functional, " " + l.name() + " (" + l.kerasClass() + ")",
          Shapes.withBatch(values.get(inputs + c)), Long.toString(params), String.join(", ", from)));
    }
    for (int i = 0; i < rows.size(); i++) {
      b.append(rows.get(i));
      if (i < rows.size() - 1) {
        b.append(" ".repeat(width)).append('\n');
      }
    }
    b.append("=".repeat(width)).append('\n');
    b.append("Total params: ").append(count(trainable + frozen)).append('\n');
    b.append("Trainable params: ").append(count(trainable)).append('\n');
    b.append("Non-trainable params: ").append(count(frozen)).append('\n');
    b.append("_".repeat(width));
    return b.toString();
  }

  private static String line(boolean functional, String a, String c, String d, String e) {
    StringBuilder b = new StringBuilder();
    row(b, functional, a, c, d, e);
    return b.toString();
  }

  private static void row(StringBuilder b, boolean functional, String a, String c, String d,
      String e) {
    b.append(pad(a, COLUMNS[0])).append(pad(c, COLUMNS[1]));
    if (functional) {
      b.append(pad(d, COLUMNS[2])).append(e.isEmpty() ? "[]" : e).append('\n');
    } else {
      b.append(pad(d, COLUMNS[2])).append('\n');
    }
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
