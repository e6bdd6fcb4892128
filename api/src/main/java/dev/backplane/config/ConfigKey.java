package dev.backplane.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * A configuration key: its name ({@code backplane.threads}), what it means, the values it takes,
 * its default and the parser that turns text into a value. The api declares its own keys in
 * {@link CoreKeys}; a backend provider declares its keys through
 * {@link dev.backplane.spi.BackendProvider#configKeys()}, so unknown keys can be reported.
 *
 * @param <T> the parsed type
 */
public final class ConfigKey<T> {
  private final String name;
  private final String description;
  private final String allowed;
  private final String defaultText;
  private final Function<String, T> parser;

  private ConfigKey(String name, String description, String allowed, String defaultText,
      Function<String, T> parser) {
    this.name = Objects.requireNonNull(name, "name");
    this.description = Objects.requireNonNull(description, "description");
    this.allowed = Objects.requireNonNull(allowed, "allowed");
    this.defaultText = defaultText;
    this.parser = Objects.requireNonNull(parser, "parser");
    if (!name.startsWith("backplane.")) {
      throw new IllegalArgumentException("Config key '" + name + "' must start with 'backplane.'");
    }
  }

  /**
   * Declares a key.
   *
   * @param name the full name, starting with {@code backplane.}
   * @param description one line for documentation and errors
   * @param allowed the allowed values in words, e.g. {@code "cpu | none"}
   * @param defaultText the default as text, or {@code null} for "unset"
   * @param parser parses a raw value; throws {@link IllegalArgumentException} with a reason
   */
  public static <T> ConfigKey<T> of(String name, String description, String allowed,
      String defaultText, Function<String, T> parser) {
    return new ConfigKey<>(name, description, allowed, defaultText, parser);
  }

  /** The full name, e.g. {@code backplane.threads}. */
  public String name() {
    return name;
  }

  /** One line saying what the key does. */
  public String description() {
    return description;
  }

  /** The allowed values, in words. */
  public String allowed() {
    return allowed;
  }

  /** The default as text, or {@code null} when the key is unset by default. */
  public String defaultText() {
    return defaultText;
  }

  /** The environment variable that sets this key: {@code BACKPLANE_PROBE_TIMEOUT}. */
  public String environmentName() {
    return envName(name);
  }

  static String envName(String key) {
    return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Parses a raw value.
   *
   * @throws IllegalArgumentException with the reason; the caller adds the key and source
   */
  public T parse(String raw) {
    return parser.apply(raw.trim());
  }

  @Override
  public String toString() {
    return name;
  }
}
