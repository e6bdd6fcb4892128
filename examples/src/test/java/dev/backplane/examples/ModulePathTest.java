package dev.backplane.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The modules' descriptors work where users put them: {@link ListDevices} runs from the module
 * path (main module {@code dev.backplane.examples}; the backends bound as services through their
 * {@code provides} clauses, not {@code META-INF/services} on a class path) and finds every
 * backend. The tests themselves run on the class path (see the root pom).
 */
class ModulePathTest {
  /** Test-only libraries of this class path, which are no part of an application. */
  private static final List<String> TEST_ONLY = List.of("mockito", "byte-buddy", "objenesis",
      "assertj", "surefire", "junit-jupiter-engine", "junit-jupiter-params",
      "junit-platform-engine", "junit-platform-launcher");

  @TempDir Path dir;

  @Test
  void anApplicationOnTheModulePathBindsEveryBackendAsAService()
      throws IOException, InterruptedException {
    String modulePath = Arrays.stream(System.getProperty("java.class.path")
            .split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes") && !e.endsWith("-tests.jar"))
        .filter(e -> TEST_ONLY.stream().noneMatch(t -> Path.of(e).getFileName().toString()
            .startsWith(t)))
        .collect(Collectors.joining(File.pathSeparator));
    Path log = dir.resolve("out.txt");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "--add-modules", "jdk.incubator.vector", "--module-path", modulePath,
        "-Dbackplane.cache.dir=" + dir.resolve("cache"), "-m",
        "dev.backplane.examples/dev.backplane.examples.ListDevices")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    boolean done = p.waitFor(300, TimeUnit.SECONDS); // hang guard only
    if (!done) {
      p.destroyForcibly().waitFor();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(done).as(out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as(out).doesNotContain("ResolutionException", "FindException")
        .containsPattern("(?m)^accelerate:cpu:0  READY  ")
        .containsPattern("(?m)^tf-java:cpu:0  READY  ")
        .containsPattern("(?m)^metal:gpu:0  UNAVAILABLE  ")
        .contains("Backplane backends: metal (priority 200, dev.backplane.metal.MetalProvider),"
            + " accelerate (priority 100, dev.backplane.accelerate.AccelerateProvider), tf-java"
            + " (priority 50, dev.backplane.tfjava.TfJavaProvider)");
  }
}
