package dev.backplane.conformance;

import dev.backplane.spi.BackendProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads a backend's declared gaps from {@value #RESOURCE} in the backend's own jar (or classes
 * directory): one gap a line, {@code <check id or prefix*> = <reason>}, {@code #} comments.
 *
 * <pre>
 * # backend-tf-java/src/main/resources/META-INF/backplane/conformance-known-gaps.txt
 * determinism/* = TensorFlow's multithreaded reductions are not bitwise reproducible (#12)
 * </pre>
 */
final class KnownGaps {
  /** The resource name, in the backend's jar. */
  static final String RESOURCE = "META-INF/backplane/conformance-known-gaps.txt";

  private KnownGaps() {}

  /** The gaps declared next to the provider's class; files of other jars are ignored. */
  static List<KnownGap> of(BackendProvider provider) {
    Class<?> type = provider.getClass();
    ClassLoader loader = type.getClassLoader();
    if (loader == null) {
      return List.of();
    }
    CodeSource cs = type.getProtectionDomain().getCodeSource();
    String home = cs == null || cs.getLocation() == null ? null : cs.getLocation().toString();
    try {
      return of(Collections.list(loader.getResources(RESOURCE)), home);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list " + RESOURCE + ": " + e, e);
    }
  }

  /** The gaps in those of the files that lie in {@code home} (any, when {@code home} is null). */
  static List<KnownGap> of(List<URL> files, String home) {
    List<KnownGap> gaps = new ArrayList<>();
    for (URL url : files) {
      if (home != null && !inside(url.toString(), home)) {
        continue;
      }
      try (InputStream in = url.openStream()) {
        gaps.addAll(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), url.toString()));
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read " + url + ": " + e, e);
      }
    }
    return gaps;
  }

  private static boolean inside(String url, String home) {
    String u = url.replace("file:///", "file:/");
    String h = home.replace("file:///", "file:/");
    return u.startsWith(h) || u.startsWith("jar:" + h + "!/");
  }

  /**
   * Parses the file format.
   *
   * @throws IllegalArgumentException naming the line that is not {@code pattern = reason}
   */
  static List<KnownGap> parse(String text, String source) {
    List<KnownGap> gaps = new ArrayList<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0 || line.substring(eq + 1).isBlank()) {
        throw new IllegalArgumentException("Malformed line " + (i + 1) + " of " + source + ": '"
            + line + "'. Expected <check id or prefix*> = <reason>, e.g."
            + " determinism/* = not bitwise reproducible");
      }
      gaps.add(new KnownGap(line.substring(0, eq).strip(), line.substring(eq + 1).strip(),
          source + ":" + (i + 1)));
    }
    return gaps;
  }
}
