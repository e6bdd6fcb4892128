package dev.backplane.ops;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An op's static attributes (axes, transposes, constants), immutable. Values are {@link Integer},
 * {@link Long}, {@link Double}, {@link Boolean}, {@link String}, {@code int[]} or
 * {@code float[]}; arrays are copied in and out.
 */
public final class Attrs {
  /** No attributes. */
  public static final Attrs NONE = new Attrs(Map.of());

  private final Map<String, Object> values;

  private Attrs(Map<String, Object> values) {
    this.values = values;
  }

  /** Attributes from alternating names and values: {@code of("axis", 1, "keepdims", true)}. */
  public static Attrs of(Object... nameValues) {
    if (nameValues.length % 2 != 0) {
      throw new IllegalArgumentException("Attrs.of takes name/value pairs");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      map.put((String) nameValues[i], copy(Objects.requireNonNull(nameValues[i + 1])));
    }
    return new Attrs(Collections.unmodifiableMap(map));
  }

  private static Object copy(Object v) {
    if (v instanceof int[] a) {
      return a.clone();
    }
    if (v instanceof float[] a) {
      return a.clone();
    }
    return v;
  }

  /** Whether the attribute is set. */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  private Object get(String name) {
    Object v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("Missing attribute '" + name + "'; have " + values.keySet());
    }
    return v;
  }

  /** An int attribute. */
  public int i(String name) {
    return ((Number) get(name)).intValue();
  }

  /** A long attribute. */
  public long l(String name) {
    return ((Number) get(name)).longValue();
  }

  /** A double attribute. */
  public double d(String name) {
    return ((Number) get(name)).doubleValue();
  }

  /** A boolean attribute, {@code fallback} when unset. */
  public boolean b(String name, boolean fallback) {
    Object v = values.get(name);
    return v == null ? fallback : (Boolean) v;
  }

  /** A string attribute. */
  public String s(String name) {
    return (String) get(name);
  }

  /** An int-array attribute (a copy). */
  public int[] ints(String name) {
    return ((int[]) get(name)).clone();
  }

  /** A float-array attribute (a copy). */
  public float[] floats(String name) {
    return ((float[]) get(name)).clone();
  }

  /** The names, in insertion order. */
  public java.util.Set<String> names() {
    return values.keySet();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    values.forEach((k, v) -> {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(k).append('=');
      if (v instanceof int[] a) {
        sb.append(Arrays.toString(a));
      } else if (v instanceof float[] a) {
        sb.append(a.length <= 8 ? Arrays.toString(a) : "float[" + a.length + "]");
      } else {
        sb.append(v);
      }
    });
    return sb.append('}').toString();
  }
}
