package dev.backplane.config;

import dev.backplane.BackplaneException;
import java.util.List;

/**
 * The configuration has problems: unknown keys, unknown backend ids, malformed values or a
 * malformed file. All problems are collected and reported at once, numbered, each naming the
 * key, where it came from and the allowed values.
 */
public class ConfigException extends BackplaneException {
  private final List<String> problems;

  /** @param problems one line each; never empty */
  public ConfigException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, one line each, in the order found. */
  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    StringBuilder b = new StringBuilder("Backplane configuration errors:\n\n");
    for (int i = 0; i < problems.size(); i++) {
      b.append(i + 1).append(") ").append(problems.get(i)).append("\n\n");
    }
    b.append(problems.size()).append(problems.size() == 1 ? " error" : " errors");
    return b.toString();
  }
}
