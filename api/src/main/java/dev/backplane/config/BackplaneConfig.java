package dev.backplane.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Backplane's configuration, read once from its sources, highest precedence first: the
 * programmatic builder, system properties {@code backplane.*}, environment variables
 * {@code BACKPLANE_*} (key upper-cased, dots and dashes as underscores), a properties file (path
 * in {@code backplane.config}, else {@code backplane.properties} on the class path), defaults.
 *
 * <p>Immutable. Values are parsed on {@link #get}; {@link #validate} checks every key at once
 * against the known keys and reports all problems in one {@link ConfigException}.
 */
public final class BackplaneConfig {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger("dev.backplane");
  /** Unknown environment variables already warned about in this process. */
  private static final java.util.Set<String> WARNED_ENV =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final String PREFIX = "backplane.";
  private static final String ENV_PREFIX = "BACKPLANE_";

  /** A raw value and where it came from, for messages. */
  private record Raw(String text, String source) {}

  private final Map<String, Raw> byKey;
  private final Map<String, Raw> byEnvName;
  private final List<String> fileProblems;

  private BackplaneConfig(Map<String, Raw> byKey, Map<String, Raw> byEnvName,
      List<String> fileProblems) {
    this.byKey = byKey;
    this.byEnvName = byEnvName;
    this.fileProblems = fileProblems;
  }

  /** Reads the standard sources with no programmatic overrides. */
  public static BackplaneConfig load() {
    return builder().build();
  }

  /** A builder for programmatic overrides and, in tests, substitute sources. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The value of a key: the highest-precedence source that sets it, else the default, else
   * {@code null}.
   *
   * @throws ConfigException when the value is malformed, naming key, source and allowed values
   */
  public <T> T get(ConfigKey<T> key) {
    Raw raw = find(key);
    if (raw == null) {
      return key.defaultText() == null ? null : key.parse(key.defaultText());
    }
    try {
      return key.parse(raw.text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(malformed(key, raw, e)));
    }
  }

  /** Whether any source sets this key (defaults do not count). */
  public boolean isSet(ConfigKey<?> key) {
    return find(key) != null;
  }

  /** Where the key's value comes from, e.g. {@code "system property"}, or {@code "default"}. */
  public String sourceOf(ConfigKey<?> key) {
    Raw raw = find(key);
    return raw == null ? "default" : raw.source;
  }

  /**
   * The key's value as text, exactly as its highest-precedence source set it, or {@code null}
   * when no source sets it (e.g. to hand the configuration to a child JVM).
   */
  public String raw(ConfigKey<?> key) {
    Raw raw = find(key);
    return raw == null ? null : raw.text;
  }

  private Raw find(ConfigKey<?> key) {
    Raw raw = byKey.get(key.name());
    if (raw != null && !raw.source.startsWith("file")) {
      return raw;
    }
    Raw env = byEnvName.get(key.environmentName());
    return env != null ? env : raw;
  }

  /**
   * Checks every configured key against {@code known}: unknown keys (with the known ones listed),
   * malformed values (with the allowed values) and problems in the properties file.
   *
   * @throws ConfigException listing every problem
   */
  public void validate(Collection<ConfigKey<?>> known) {
    List<String> problems = new ArrayList<>(fileProblems);
    Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    for (ConfigKey<?> k : known) {
      keys.put(k.name(), k);
    }
    String knownList = new TreeSet<>(keys.keySet()).stream().collect(Collectors.joining(", "));
    for (Map.Entry<String, Raw> e : byKey.entrySet()) {
      if (!keys.containsKey(e.getKey())) {
        problems.add("Unknown key " + e.getKey() + " (from " + e.getValue().source
            + "). Known keys: " + knownList);
      }
    }
    Map<String, ConfigKey<?>> envNames = new LinkedHashMap<>();
    for (ConfigKey<?> k : keys.values()) {
      envNames.put(k.environmentName(), k);
    }
    for (String env : byEnvName.keySet()) {
      // The environment is shared with other programs: an unknown BACKPLANE_* variable is a
      // warning (once per name), not an error; keys set by the program, -D or a file still are.
      if (!envNames.containsKey(env) && WARNED_ENV.add(env)) {
        LOG.warning("Ignoring unknown environment variable " + env + ". Known: "
            + new TreeSet<>(envNames.keySet()).stream().collect(Collectors.joining(", ")));
      }
    }
    for (ConfigKey<?> k : keys.values()) {
      Raw raw = find(k);
      if (raw != null) {
        try {
          k.parse(raw.text);
        } catch (IllegalArgumentException ex) {
          problems.add(malformed(k, raw, ex));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  private static String malformed(ConfigKey<?> key, Raw raw, IllegalArgumentException e) {
    return "Invalid " + key.name() + " configuration (from " + raw.source + "): "
        + e.getMessage() + ". Expected " + key.allowed() + ". Received: " + key.name() + "="
        + raw.text;
  }

  /** A copy with one more programmatic override, e.g. from a CLI flag. */
  public BackplaneConfig with(String key, String value) {
    Map<String, Raw> copy = new LinkedHashMap<>(byKey);
    copy.put(key, new Raw(value, "program"));
    Map<String, Raw> env = new LinkedHashMap<>(byEnvName);
    env.remove(ConfigKey.envName(key));
    return new BackplaneConfig(copy, env, fileProblems);
  }

  /** Builds a {@link BackplaneConfig}; not thread-safe. */
  public static final class Builder {
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private Properties systemProperties;
    private Map<String, String> environment;
    private boolean useClasspathFile = true;

    private Builder() {}

    /** Sets a key programmatically: the highest precedence. */
    public Builder set(String key, String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Sets a key programmatically. */
    public <T> Builder set(ConfigKey<T> key, String value) {
      return set(key.name(), value);
    }

    /** Uses these system properties instead of {@link System#getProperties()} (tests). */
    public Builder systemProperties(Properties properties) {
      this.systemProperties = properties;
      return this;
    }

    /** Uses this environment instead of {@link System#getenv()} (tests). */
    public Builder environment(Map<String, String> env) {
      this.environment = Map.copyOf(env);
      return this;
    }

    /** Whether to read {@code backplane.properties} from the class path (default true). */
    public Builder classpathFile(boolean use) {
      this.useClasspathFile = use;
      return this;
    }

    /** Reads the sources. Problems are reported by {@link BackplaneConfig#validate}. */
    public BackplaneConfig build() {
      Properties sys = systemProperties != null ? systemProperties : System.getProperties();
      Map<String, String> env = environment != null ? environment : System.getenv();
      Map<String, Raw> byKey = new LinkedHashMap<>();
      Map<String, Raw> byEnv = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();

      for (Map.Entry<String, String> e : env.entrySet()) {
        if (e.getKey().startsWith(ENV_PREFIX)) {
          byEnv.put(e.getKey(), new Raw(e.getValue(), "environment variable " + e.getKey()));
        }
      }
      Map<String, Raw> higher = new LinkedHashMap<>();
      for (String name : sys.stringPropertyNames()) {
        if (name.startsWith(PREFIX)) {
          higher.put(name, new Raw(sys.getProperty(name), "system property"));
        }
      }
      for (Map.Entry<String, String> e : overrides.entrySet()) {
        higher.put(e.getKey(), new Raw(e.getValue(), "program"));
        byEnv.remove(ConfigKey.envName(e.getKey()));
      }
      for (String key : higher.keySet()) {
        byEnv.remove(ConfigKey.envName(key));
      }

      String path = higher.containsKey(CoreKeys.CONFIG.name())
          ? higher.get(CoreKeys.CONFIG.name()).text
          : byEnv.containsKey(CoreKeys.CONFIG.environmentName())
              ? byEnv.get(CoreKeys.CONFIG.environmentName()).text : null;
      if (path != null) {
        readFile(Path.of(path.trim()), byKey, problems);
      } else if (useClasspathFile) {
        readClasspathFile(byKey, problems);
      }
      byKey.putAll(higher);
      return new BackplaneConfig(byKey, byEnv, List.copyOf(problems));
    }

    private static void readFile(Path path, Map<String, Raw> into, List<String> problems) {
      if (Files.isDirectory(path)) {
        problems.add("Config file " + path + " (from backplane.config) is a directory; name a"
            + " properties file such as " + path.resolve("backplane.properties"));
        return;
      }
      if (!Files.isRegularFile(path)) {
        problems.add("Config file " + path + " (from backplane.config) does not exist;"
            + " fix the path or unset backplane.config");
        return;
      }
      try {
        parse(Files.readString(path, StandardCharsets.UTF_8), "file " + path, into, problems);
      } catch (IOException e) {
        problems.add("Config file " + path + " cannot be read: " + e.getMessage());
      }
    }

    private static void readClasspathFile(Map<String, Raw> into, List<String> problems) {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      if (cl == null) {
        cl = BackplaneConfig.class.getClassLoader();
      }
      try (InputStream in = cl.getResourceAsStream("backplane.properties")) {
        if (in != null) {
          parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
              "file backplane.properties (class path)", into, problems);
        }
      } catch (IOException e) {
        problems.add("backplane.properties on the class path cannot be read: " + e.getMessage());
      }
    }

    /**
     * A strict properties reader: every non-comment line must be {@code key=value} or
     * {@code key: value}, trimmed; {@code #} and {@code !} start comments. Unlike
     * {@link java.util.Properties} there are no escapes and no line continuations: a line ending
     * in a backslash is an error, so a value is never silently joined with the next line.
     */
    static void parse(String text, String source, Map<String, Raw> into, List<String> problems) {
      String[] lines = text.split("\r?\n", -1);
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i].strip();
        if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
          continue;
        }
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
        String where = source + ", line " + (i + 1);
        if (sep <= 0) {
          problems.add("Malformed line in " + where + ": '" + line
              + "'. Expected key=value, e.g. backplane.threads=2");
          continue;
        }
        String key = line.substring(0, sep).strip();
        String value = line.substring(sep + 1).strip();
        if (value.endsWith("\\")) {
          problems.add("Line continuation in " + where + ": '" + line + "'. This format has no"
              + " escapes or continuations; put the whole value on one line");
          continue;
        }
        if (!key.startsWith(PREFIX)) {
          problems.add("Unknown key " + key + " (from " + where
              + "). Keys start with 'backplane.'");
          continue;
        }
        into.put(key, new Raw(value, where));
      }
    }
  }
}
