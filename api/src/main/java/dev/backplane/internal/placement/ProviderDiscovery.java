package dev.backplane.internal.placement;

import dev.backplane.BackplaneException;
import dev.backplane.spi.BackendProvider;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Finds backend providers with {@link ServiceLoader}. A provider that fails to load is reported
 * and skipped (as SLF4J does), so one broken jar cannot take the others down; duplicate ids are an
 * error naming both jars.
 */
public final class ProviderDiscovery {
  private static final Logger LOG = Logger.getLogger("dev.backplane");
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]*");

  /** Providers found, by id, and the problems met on the way. */
  public record Result(Map<String, BackendProvider> providers, List<String> problems) {}

  private ProviderDiscovery() {}

  public static Result discover(ClassLoader loader) {
    List<BackendProvider> found = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
        String problem = "A backend provider failed to load and was skipped: " + describe(e);
        problems.add(problem);
        LOG.log(Level.WARNING, problem, e);
      }
    }
    return validate(found, problems);
  }

  public static Result validate(List<BackendProvider> candidates, List<String> problems) {
    Map<String, BackendProvider> byId = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(problems);
    for (BackendProvider p : candidates) {
      String id;
      try {
        id = p.id();
      } catch (RuntimeException | LinkageError e) {
        all.add("Backend provider " + p.getClass().getName() + " failed in id() and was skipped: "
            + describe(e));
        continue;
      }
      if (id == null || !ID.matcher(id).matches()) {
        all.add("Backend provider " + p.getClass().getName() + " has an invalid id '" + id
            + "' (expected lower-case letters, digits and '-') and was skipped");
        continue;
      }
      BackendProvider other = byId.get(id);
      if (other != null) {
        throw new BackplaneException("Two backend providers claim the id '" + id + "': "
            + other.getClass().getName() + " from " + location(other) + " and "
            + p.getClass().getName() + " from " + location(p)
            + ". Remove one of the jars from the class path");
      }
      byId.put(id, p);
    }
    return new Result(byId, all);
  }

  public static String describe(Throwable e) {
    Throwable root = e;
    StringBuilder b = new StringBuilder(e.toString());
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
      b.append("; caused by ").append(root);
    }
    return b.toString();
  }

  private static String location(BackendProvider p) {
    CodeSource cs = p.getClass().getProtectionDomain().getCodeSource();
    return cs == null || cs.getLocation() == null ? "an unknown location" : cs.getLocation().toString();
  }
}
