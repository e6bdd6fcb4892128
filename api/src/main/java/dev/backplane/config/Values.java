package dev.backplane.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for configuration values: durations, integers, lists, choices. */
public final class Values {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
  /** The longest duration any key takes: 30 days, far beyond any step or probe. */
  public static final Duration MAX_DURATION = Duration.ofDays(30);

  private Values() {}

  /**
   * Parses {@code 500ms}, {@code 3s}, {@code 2m}, {@code 1h}; a bare number means milliseconds.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a duration such as 500ms, 3s or 2m");
    }
    String unit = m.group(2) == null ? "ms" : m.group(2);
    Duration d;
    try {
      long n = Long.parseLong(m.group(1));
      switch (unit) {
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        case "h":
          d = Duration.ofHours(n);
          break;
        default:
          d = Duration.ofMillis(n);
      }
    } catch (ArithmeticException | NumberFormatException e) {
      d = null;
    }
    if (d == null || d.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("expected a duration from 0ms to 720h (30 days)");
    }
    return d;
  }

  /** Parses a duration of at least 1 ms (a zero deadline would reject everything). */
  public static Duration positiveDuration(String text) {
    Duration d = duration(text);
    if (d.isZero()) {
      throw new IllegalArgumentException("expected a duration from 1ms to 720h (30 days); 0"
          + " would time out every call");
    }
    return d;
  }

  /** A comma-separated list of ids, trimmed and lower-cased (ids are case-insensitive). */
  public static List<String> idList(String text) {
    List<String> out = new ArrayList<>();
    for (String item : list(text)) {
      out.add(item.toLowerCase(Locale.ROOT));
    }
    return List.copyOf(out);
  }

  /** Parses an integer in {@code [min, max]}. */
  public static int intIn(String text, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
    }
    return n;
  }

  /**
   * Parses a size: a number of bytes, or with {@code k}, {@code m}, {@code g} (binary units), e.g.
   * {@code 512m}.
   */
  public static long bytes(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
      unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : 1L << 30;
      t = t.substring(0, t.length() - 1).trim();
    }
    try {
      long n = Long.parseLong(t);
      if (n < 1 || n > Long.MAX_VALUE / unit) {
        throw new NumberFormatException();
      }
      return n * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a size such as 512m, 2g or a positive number"
          + " of bytes");
    }
  }

  /** Parses a long. */
  public static long longValue(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number");
    }
  }

  /** Parses a relative tolerance: a number greater than 0 and less than 1. */
  public static double tolerance(String text) {
    double d;
    try {
      d = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a number such as 1e-3");
    }
    if (!(d > 0 && d < 1)) {
      throw new IllegalArgumentException("expected a number > 0 and < 1");
    }
    return d;
  }

  /** Splits a comma-separated list, trimming items and dropping empty ones. */
  public static List<String> list(String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("expected a comma-separated list");
    }
    return List.copyOf(out);
  }

  /** Accepts one of the given lower-case words, case-insensitively. */
  public static String choice(String text, String... allowed) {
    String key = text.trim().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(key)) {
        return a;
      }
    }
    throw new IllegalArgumentException("expected one of " + String.join(", ", allowed));
  }
}
