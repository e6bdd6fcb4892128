package dev.backplane.io.npy;

import dev.backplane.io.ModelFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dictionary of an NPY file, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}. Parsed by a small reader
 * of exactly that Python-literal subset (strings, {@code True}/{@code False}, tuples of
 * integers), never evaluated.
 *
 * @param descr the dtype string, e.g. {@code <f4}
 * @param fortranOrder whether the data is column-major
 * @param shape the array shape; empty for a scalar
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

  /** Formats a header dictionary for a C-order array (without padding). */
  static String format(String descr, int[] shape) {
    StringBuilder s = new StringBuilder("{'descr': '").append(descr)
        .append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      s.append(i == 0 ? "" : " ").append(shape[i]).append(',');
    }
    if (shape.length > 1) {
      s.setLength(s.length() - 1);
    }
    return s.append("), }").toString();
  }

  /** Parses the dictionary text; every problem names the file. */
  static NpyHeader parse(Path file, String text) {
    Map<String, Object> dict = new Parser(file, text).dict();
    for (String key : List.of("descr", "fortran_order", "shape")) {
      if (!dict.containsKey(key)) {
        throw new ModelFileException(file, "NPY header lacks '" + key + "': " + text.trim());
      }
    }
    if (dict.size() != 3) {
      throw new ModelFileException(file, "NPY header has unexpected keys: " + dict.keySet());
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new ModelFileException(file, "NPY header 'descr' must be a string: " + text.trim());
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new ModelFileException(file, "NPY header 'fortran_order' must be True or False");
    }
    if (!(dict.get("shape") instanceof long[] shape)) {
      throw new ModelFileException(file, "NPY header 'shape' must be a tuple of integers");
    }
    return new NpyHeader(descr, fortran, shape);
  }

  /** Recursive-descent reader of the header's Python-literal subset. */
  private static final class Parser {
    private final Path file;
    private final String text;
    private int pos;

    Parser(Path file, String text) {
      this.file = file;
      this.text = text;
    }

    Map<String, Object> dict() {
      expect('{');
      Map<String, Object> dict = new LinkedHashMap<>();
      while (peek() != '}') {
        String key = string();
        expect(':');
        if (dict.put(key, value()) != null) {
          throw error("duplicate key '" + key + "'");
        }
        if (peek() == ',') {
          pos++;
        } else if (peek() != '}') {
          throw error("expected ',' or '}'");
        }
      }
      pos++;
      if (!text.substring(pos).isBlank()) {
        throw error("unexpected text after the dictionary");
      }
      return dict;
    }

    private Object value() {
      char c = peek();
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        return tuple();
      }
      if (text.startsWith("True", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (text.startsWith("False", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      throw error("unsupported value");
    }

    private long[] tuple() {
      expect('(');
      List<Long> dims = new ArrayList<>();
      while (peek() != ')') {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          pos++;
        }
        if (start == pos || pos - start > 18) {
          throw error("shape must hold non-negative integers");
        }
        dims.add(Long.parseLong(text.substring(start, pos)));
        if (peek() == 'L') {
          pos++; // Python 2 long literal
        }
        if (peek() == ',') {
          pos++;
        } else if (peek() != ')') {
          throw error("expected ',' or ')' in the shape");
        }
      }
      pos++;
      return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private String string() {
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted string");
      }
      int end = text.indexOf(quote, ++pos);
      if (end < 0) {
        throw error("unterminated string");
      }
      String s = text.substring(pos, end);
      pos = end + 1;
      return s;
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private char peek() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
      if (pos >= text.length()) {
        throw error("unexpected end of the header");
      }
      return text.charAt(pos);
    }

    private ModelFileException error(String problem) {
      String shown = text.trim();
      return new ModelFileException(file, "malformed NPY header (" + problem + " at character "
          + pos + "): " + (shown.length() > 120 ? shown.substring(0, 117) + "..." : shown));
    }
  }
}
