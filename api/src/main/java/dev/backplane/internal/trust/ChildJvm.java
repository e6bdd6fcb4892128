package dev.backplane.internal.trust;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link ProbeChild} in a child JVM with this JVM's class path, passes the configuration
 * as {@code -D} options, collects its result lines from stdout, and kills it (with its
 * descendants) at the deadline. Whatever the child does, crash or hang, costs the child only.
 */
public final class ChildJvm {
  /** Extra time a child gets on top of the probe or canary deadline, for starting a JVM. */
  public static final Duration STARTUP_ALLOWANCE = Duration.ofSeconds(3);
  private static final int TAIL = 6;

  /**
   * What the child did.
   *
   * @param exitCode its exit code, or -1 when it was killed at the deadline
   * @param killed whether it was killed at the deadline
   * @param results its protocol lines ({@code BACKPLANE-...}), in order
   * @param tail the last few other lines it printed (stdout and stderr), for diagnostics
   */
  public record Outcome(int exitCode, boolean killed, List<String> results, List<String> tail) {
    /** The other output, on one line, or an empty string. */
    String tailText() {
      return tail.isEmpty() ? "" : "; last output: " + String.join(" / ", tail);
    }
  }

  private ChildJvm() {}

  /** The incubator modules of this JVM's boot layer, sorted, which a child must add too. */
  public static List<String> incubatorModules() {
    return ModuleLayer.boot().modules().stream().map(Module::getName)
        .filter(name -> name.startsWith("jdk.incubator.")).sorted().toList();
  }

  static Outcome run(Map<String, String> properties, List<String> args, Duration deadline)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    String incubating = String.join(",", incubatorModules());
    if (!incubating.isEmpty()) {
      // Modules the JVM resolves only when asked (the Vector API): a probe must see what the
      // parent sees, or it would describe another kernel than the backend will use.
      cmd.add("--add-modules");
      cmd.add(incubating);
    }
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xshare:auto");
    cmd.add("-Djava.awt.headless=true");
    cmd.add("-D" + ProbeChild.CHILD_PROPERTY + "=true");
    for (String passThrough : List.of("java.library.path", "jna.library.path", "jna.tmpdir")) {
      String v = System.getProperty(passThrough);
      if (v != null) {
        cmd.add("-D" + passThrough + "=" + v);
      }
    }
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add(ProbeChild.class.getName());
    cmd.addAll(args);
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    process.getOutputStream().close();
    List<String> results = new ArrayList<>();
    Deque<String> tail = new ArrayDeque<>();
    Thread reader = new Thread(() -> read(process, results, tail), "backplane-child-reader");
    reader.setDaemon(true);
    reader.start();
    boolean exited;
    try {
      exited = process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(2, TimeUnit.SECONDS);
      }
      reader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      exited = false;
    }
    synchronized (results) {
      return new Outcome(exited ? process.exitValue() : -1, !exited, List.copyOf(results),
          List.copyOf(tail));
    }
  }

  private static void read(Process process, List<String> results, Deque<String> tail) {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (results) {
          if (line.startsWith(ProbeChild.PREFIX)) {
            results.add(line);
          } else if (!line.isBlank()) {
            tail.addLast(line.strip());
            if (tail.size() > TAIL) {
              tail.removeFirst();
            }
          }
        }
      }
    } catch (IOException e) {
      // the child died; its exit code says the rest
    }
  }
}
