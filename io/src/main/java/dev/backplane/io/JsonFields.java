package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Typed, validated access to the fields of one JSON object read from a file. Every failure is a
 * {@link ModelFileException} naming the file, where in it ({@code "layer 'dense' (Dense)"}), the
 * field and what was found, so parsers of untrusted files stay short and their messages uniform.
 */
public final class JsonFields {
  private final Path file;
  private final String where;
  private final JsonNode node;

  private JsonFields(Path file, String where, JsonNode node) {
    this.file = file;
    this.where = where;
    this.node = node;
  }

  /**
   * Wraps an object node.
   *
   * @param file the file it was read from
   * @param where what the object is, for messages, e.g. {@code "model config"}
   * @throws ModelFileException if {@code node} is not a JSON object
   */
  public static JsonFields of(Path file, String where, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new ModelFileException(file, where + " must be a JSON object but is "
          + describe(node));
    }
    return new JsonFields(file, where, node);
  }

  /** The wrapped object. */
  public JsonNode node() {
    return node;
  }

  /** Where this object is, as used in messages. */
  public String where() {
    return where;
  }

  /** The file it came from. */
  public Path file() {
    return file;
  }

  /** An error about this object, ready to throw. */
  public ModelFileException error(String problem) {
    return new ModelFileException(file, where + ": " + problem);
  }

  /** Whether the field is present and not JSON {@code null}. */
  public boolean has(String key) {
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  /** The raw field, or {@code null} when absent or JSON {@code null}. */
  public JsonNode get(String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  /** The field names, in file order. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    return keys;
  }

  /** Rejects any field not in {@code allowed}, naming it and listing the allowed ones. */
  public JsonFields allowOnly(Collection<String> allowed) {
    for (String key : keys()) {
      if (!allowed.contains(key)) {
        throw error("unknown field '" + key + "'; expected only " + new TreeSet<>(allowed));
      }
    }
    return this;
  }

  /** A required string field. */
  public String text(String key) {
    JsonNode v = require(key);
    if (!v.isTextual()) {
      throw error("field '" + key + "' must be a string but is " + describe(v));
    }
    return v.textValue();
  }

  /** An optional string field. */
  public String text(String key, String defaultValue) {
    return has(key) ? text(key) : defaultValue;
  }

  /** A required integer field in {@code [min, max]}. */
  public long integer(String key, long min, long max) {
    JsonNode v = require(key);
    if (!v.isIntegralNumber() && !(v.isNumber() && isWhole(v.doubleValue()))) {
      throw error("field '" + key + "' must be an integer but is " + describe(v));
    }
    if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
      throw error("field '" + key + "' must be in [" + min + ", " + max + "] but is " + v);
    }
    return v.longValue();
  }

  /** A required finite number. */
  public double number(String key) {
    JsonNode v = require(key);
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw error("field '" + key + "' must be a finite number but is " + describe(v));
    }
    return v.doubleValue();
  }

  /** An optional finite number. */
  public double number(String key, double defaultValue) {
    return has(key) ? number(key) : defaultValue;
  }

  /** An optional boolean. */
  public boolean bool(String key, boolean defaultValue) {
    if (!has(key)) {
      return defaultValue;
    }
    JsonNode v = node.get(key);
    if (!v.isBoolean()) {
      throw error("field '" + key + "' must be true or false but is " + describe(v));
    }
    return v.booleanValue();
  }

  /** A required array field. */
  public JsonNode array(String key) {
    JsonNode v = require(key);
    if (!v.isArray()) {
      throw error("field '" + key + "' must be an array but is " + describe(v));
    }
    return v;
  }

  /** A required object field, wrapped; {@code where} describes it in messages. */
  public JsonFields object(String key, String where) {
    return of(file, where, require(key));
  }

  /** The field, required; absent or {@code null} is an error. */
  public JsonNode require(String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw error("missing field '" + key + "'");
    }
    return v;
  }

  /**
   * A JSON array of non-negative integers, each at most {@code Integer.MAX_VALUE}.
   *
   * @param what what the array is, for the message
   */
  public int[] dims(JsonNode array, String what) {
    Objects.requireNonNull(what, "what");
    if (array == null || !array.isArray()) {
      throw error(what + " must be an array of integers but is " + describe(array));
    }
    int[] dims = new int[array.size()];
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = array.get(i);
      if (d == null || !d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0
          || d.longValue() > Integer.MAX_VALUE) {
        throw error(what + " must hold non-negative integers but element " + i + " is "
            + describe(d));
      }
      dims[i] = (int) d.longValue();
    }
    return dims;
  }

  private static boolean isWhole(double d) {
    return Double.isFinite(d) && d == Math.rint(d);
  }

  /** A short description of a JSON value for messages: its type and, when small, its text. */
  public static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "missing";
    }
    if (v.isNull()) {
      return "null";
    }
    String text = v.toString();
    String type = v.getNodeType().toString().toLowerCase(Locale.ROOT);
    return type + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
  }
}
