package dev.backplane.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint file name template in Keras's (Python {@code str.format}) syntax:
 * {@code "ckpt/weights.{epoch:02d}-{val_loss:.2f}.safetensors"}. Fields are {@code epoch}
 * (1-based, as Keras) and any log key; the supported format specs are
 * {@code [0][width][.precision][d|f|e]} ({@code d} for {@code epoch} only) or none (an epoch as
 * an integer, a metric as Java's {@code Double.toString}). {@code {{} and {@code }}} are literal
 * braces. The syntax is checked when the template is created, the field names when it is filled.
 */
final class FilepathTemplate {
  private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)"
      + "(?::(0?)([0-9]*)(?:\\.([0-9]+))?([dfe]?))?}");

  private final String template;
  private final List<Object> parts = new ArrayList<>();

  private record Field(String name, boolean zeroPad, int width, int precision, char type) {}

  FilepathTemplate(String template) {
    this.template = template;
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if ((c == '{' || c == '}') && i + 1 < template.length() && template.charAt(i + 1) == c) {
        literal.append(c);
        i += 2;
      } else if (c == '{') {
        Matcher m = FIELD.matcher(template).region(i, template.length());
        if (!m.lookingAt()) {
          throw new IllegalArgumentException("Bad field at position " + i + " of filepath '"
              + template + "': expected {name} or {name:spec} with spec [0][width][.precision]"
              + "[d|f|e], e.g. {epoch:02d} or {val_loss:.4f}");
        }
        parts.add(literal.toString());
        literal.setLength(0);
        char type = m.group(5) == null || m.group(5).isEmpty() ? 0 : m.group(5).charAt(0);
        Field f = new Field(m.group(1), "0".equals(m.group(2)),
            m.group(3) == null || m.group(3).isEmpty() ? 0 : Integer.parseInt(m.group(3)),
            m.group(4) == null ? -1 : Integer.parseInt(m.group(4)), type);
        if (type == 'd' && (!f.name.equals("epoch") || f.precision >= 0)) {
          throw new IllegalArgumentException("Format 'd' in filepath '" + template + "' is only"
              + " for {epoch}, without a precision; use e.g. {" + f.name + ":.4f}");
        }
        parts.add(f);
        i = m.end();
      } else if (c == '}') {
        throw new IllegalArgumentException("Single '}' at position " + i + " of filepath '"
            + template + "'; write '}}' for a literal brace");
      } else {
        literal.append(c);
        i++;
      }
    }
    parts.add(literal.toString());
  }

  /**
   * The file name for an epoch.
   *
   * @param epoch 1-based
   * @param logs the epoch's logs
   * @throws IllegalArgumentException naming a field that is neither {@code epoch} nor a log key
   */
  String format(int epoch, Map<String, Double> logs) {
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof String s) {
        out.append(s);
        continue;
      }
      Field f = (Field) part;
      String text;
      if (f.name.equals("epoch")) {
        text = f.precision >= 0 || f.type == 'f' || f.type == 'e'
            ? number(f, epoch) : Integer.toString(epoch);
      } else {
        Double value = logs.get(f.name);
        if (value == null) {
          throw new IllegalArgumentException("Failed to format checkpoint filepath '" + template
              + "': no '" + f.name + "' in the logs; available: epoch, "
              + String.join(", ", logs.keySet()));
        }
        text = f.type == 0 && f.precision < 0 ? Double.toString(value) : number(f, value);
      }
      out.append(pad(f, text));
    }
    return out.toString();
  }

  private static String number(Field f, double value) {
    char type = f.type == 0 ? 'f' : f.type;
    return String.format(Locale.ROOT, "%." + (f.precision < 0 ? 6 : f.precision) + type, value);
  }

  private static String pad(Field f, String text) {
    if (text.length() >= f.width) {
      return text;
    }
    String fill = (f.zeroPad ? "0" : " ").repeat(f.width - text.length());
    if (f.zeroPad && text.startsWith("-")) {
      return "-" + fill + text.substring(1);
    }
    return fill + text;
  }
}
