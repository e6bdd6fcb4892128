package dev.backplane.benchmarks;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes rows as a JSON array of flat objects (strings, numbers, null). */
final class JsonRows {
  private JsonRows() {}

  static String write(List<Map<String, Object>> rows) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < rows.size(); i++) {
      b.append(i == 0 ? "\n  " : ",\n  ");
      object(b, rows.get(i));
    }
    return b.append(rows.isEmpty() ? "]" : "\n]").toString();
  }

  private static void object(StringBuilder b, Map<String, Object> m) {
    b.append('{');
    Iterator<Map.Entry<String, Object>> it = m.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Object> e = it.next();
      string(b, e.getKey());
      b.append(':');
      Object v = e.getValue();
      if (v == null || v instanceof Double d && !Double.isFinite(d)) {
        b.append("null");
      } else if (v instanceof Double d) {
        b.append(String.format(Locale.ROOT, "%.6g", d));
      } else if (v instanceof Number) {
        b.append(v);
      } else {
        string(b, v.toString());
      }
      if (it.hasNext()) {
        b.append(',');
      }
    }
    b.append('}');
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }
}
