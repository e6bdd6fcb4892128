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
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    switch (unit) {
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofMillis(n);
    }
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
