package dev.backplane.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Hyper-parameter records (optimizers' numbers, learning-rate schedules, metric options) to and
 * from JSON objects, one field per record component under Keras's snake-case name
 * ({@code learningRate} as {@code learning_rate}, {@code beta1} as {@code beta_1}). Doubles are
 * written exactly (shortest round-trip form), {@code NaN} as {@code null}. Only the record
 * classes the caller names are built: a file never picks a class.
 */
final class RecordCodec {
  private RecordCodec() {}

  /** Keras's name of a component: {@code beta1} is {@code beta_1}. */
  static String snake(String camel) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      boolean digitAfterLetter = Character.isDigit(c) && i > 0
          && Character.isLetter(camel.charAt(i - 1));
      if (Character.isUpperCase(c) || digitAfterLetter) {
        b.append('_');
      }
      b.append(Character.toLowerCase(c));
    }
    return b.toString();
  }

  /**
   * Writes every component of {@code r} except those in {@code skip}; a component whose value
   * is another record goes through {@code nested} (which may return {@code null} to leave it
   * out).
   */
  static void encode(Record r, ObjectNode into, Set<String> skip,
      Function<Object, JsonNode> nested) {
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      if (skip.contains(c.getName())) {
        continue;
      }
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("Cannot read " + c + " of " + r, e);
      }
      String key = snake(c.getName());
      if (v == null) {
        into.putNull(key);
      } else if (v instanceof Double d) {
        if (d.isNaN()) {
          into.putNull(key);
        } else {
          into.put(key, d);
        }
      } else if (v instanceof Integer i) {
        into.put(key, i);
      } else if (v instanceof Long l) {
        into.put(key, l);
      } else if (v instanceof Boolean b) {
        into.put(key, b);
      } else if (v instanceof String s) {
        into.put(key, s);
      } else if (v instanceof Enum<?> e) {
        into.put(key, e.name());
      } else if (v instanceof List<?> list) {
        ArrayNode a = into.putArray(key);
        for (Object o : list) {
          if (o instanceof Double d) {
            a.add(d);
          } else if (o instanceof Long l) {
            a.add(l);
          } else {
            throw new IllegalArgumentException("Cannot save " + o + " in " + r);
          }
        }
      } else {
        JsonNode n = nested.apply(v);
        if (n != null) {
          into.set(key, n);
        }
      }
    }
  }

  /** The JSON keys of a record's components, less {@code skip}. */
  static Set<String> keys(Class<? extends Record> cls, Set<String> skip) {
    Set<String> out = new LinkedHashSet<>();
    for (RecordComponent c : cls.getRecordComponents()) {
      if (!skip.contains(c.getName())) {
        out.add(snake(c.getName()));
      }
    }
    return out;
  }

  /**
   * Builds a {@code cls} from {@code f}: components in {@code given} take that value, the others
   * are read from their field (a missing boolean is {@code false}, a {@code null} double
   * {@code NaN}).
   *
   * @throws ModelFileException naming the field, or the record's own validation message
   */
  static <R extends Record> R decode(Class<R> cls, JsonFields f, Map<String, Object> given) {
    RecordComponent[] cs = cls.getRecordComponents();
    Class<?>[] types = new Class<?>[cs.length];
    Object[] args = new Object[cs.length];
    for (int i = 0; i < cs.length; i++) {
      RecordComponent c = cs[i];
      types[i] = c.getType();
      if (given.containsKey(c.getName())) {
        args[i] = given.get(c.getName());
        continue;
      }
      String key = snake(c.getName());
      Class<?> t = c.getType();
      if (t == double.class) {
        args[i] = f.has(key) ? f.number(key) : nanIfNull(f, key);
      } else if (t == int.class) {
        args[i] = (int) f.integer(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
      } else if (t == long.class) {
        args[i] = f.integer(key, Long.MIN_VALUE, Long.MAX_VALUE);
      } else if (t == boolean.class) {
        args[i] = f.bool(key, false);
      } else if (t == String.class) {
        args[i] = f.text(key, null);
      } else if (t.isEnum()) {
        args[i] = enumValue(t, f, key);
      } else if (t == List.class) {
        args[i] = list(c.getGenericType(), f, key);
      } else {
        throw new IllegalStateException("No decoder for " + c + " of " + cls.getSimpleName());
      }
    }
    try {
      Constructor<R> ctor = cls.getDeclaredConstructor(types);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw f.error(cls.getSimpleName() + ": " + (cause == null ? e : cause.getMessage()));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot build " + cls.getSimpleName(), e);
    }
  }

  private static double nanIfNull(JsonFields f, String key) {
    JsonNode v = f.node().get(key);
    if (v == null) {
      f.require(key);
    }
    // JSON has no NaN: a null double is NaN (no warmup target, the default threshold)
    return Double.NaN;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object enumValue(Class<?> t, JsonFields f, String key) {
    String name = f.text(key);
    try {
      return Enum.valueOf((Class) t, name);
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (Object o : t.getEnumConstants()) {
        allowed.add(((Enum<?>) o).name());
      }
      throw f.error("field '" + key + "' is '" + name + "'; expected one of " + allowed);
    }
  }

  private static List<Object> list(Type generic, JsonFields f, String key) {
    Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
    List<Object> out = new ArrayList<>();
    for (JsonNode n : f.array(key)) {
      if (!n.isNumber()) {
        throw f.error("field '" + key + "' must hold numbers but holds " + JsonFields.describe(n));
      }
      if (element == Long.class) {
        if (!n.canConvertToLong() || n.doubleValue() != Math.rint(n.doubleValue())) {
          throw f.error("field '" + key + "' must hold integers but holds " + n);
        }
        out.add(n.longValue());
      } else {
        out.add(n.doubleValue());
      }
    }
    return out;
  }

  /** A closed name-to-class table, in order. */
  @SafeVarargs
  static <T> Map<String, Class<? extends T>> table(Class<? extends T>... classes) {
    Map<String, Class<? extends T>> m = new LinkedHashMap<>();
    for (Class<? extends T> c : classes) {
      m.put(c.getSimpleName(), c);
    }
    return m;
  }
}
