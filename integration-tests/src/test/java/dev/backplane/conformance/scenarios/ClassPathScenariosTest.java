package dev.backplane.conformance.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.NoBackendException;
import dev.backplane.conformance.javaref.JavaRefProvider;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees with no backend, only the CPU backend, every backend, and a broken provider
 * jar on the class path. Each scenario runs in its own class loader built from the test class
 * path.
 */
class ClassPathScenariosTest {
  private static final String CPU_PROVIDER_ID = "accelerate";

  private static Map<String, Path> backends;

  @BeforeAll
  static void findBackends() throws Exception {
    backends = IsolatedClassPath.backendLocations();
    System.out.println("Backend providers on the test class path: " + backends);
  }

  /**
   * The class path locations to leave out and to add for "only the CPU backend": the real CPU
   * backend when it is on the test class path, else the pure-Java test backend registered in a
   * directory of its own.
   */
  private record CpuOnly(Set<Path> exclude, Path[] extra) {}

  private static CpuOnly cpuOnly(Path tmp) throws Exception {
    Set<Path> others = new HashSet<>(backends.values());
    Path cpu = backends.get(CPU_PROVIDER_ID);
    if (cpu != null) {
      others.remove(cpu);
      return new CpuOnly(others, new Path[0]);
    }
    return new CpuOnly(others, new Path[] {IsolatedClassPath.servicesDir(tmp.resolve("cpu"),
        JavaRefProvider.class.getName())});
  }

  /** The stand-in for the CPU backend, only when the real one is absent. */
  private static Path[] standIn(Path tmp) throws Exception {
    return backends.containsKey(CPU_PROVIDER_ID) ? new Path[0] : cpuOnly(tmp).extra();
  }

  @Test
  void noBackendGivesTheDocumentedError() throws Exception {
    Map<String, Object> facts = IsolatedClassPath.run(new HashSet<>(backends.values()));

    assertThat(strings(facts.get("providers"))).isEmpty();
    assertThat(facts.get("summary"))
        .isEqualTo("Backplane backends: none (add " + NoBackendException.CPU_ARTIFACT + ")");
    assertThat(facts.get("error")).isEqualTo(NoBackendException.class.getName()
        + ": No Backplane backend found on the class path. Add a backend artifact, e.g. "
        + NoBackendException.CPU_ARTIFACT + ", to the class path");
  }

  @Test
  void onlyTheCpuBackendWorksAndListsOnlyItself(@TempDir Path tmp) throws Exception {
    CpuOnly cpu = cpuOnly(tmp);
    Map<String, Object> facts = IsolatedClassPath.run(cpu.exclude(), cpu.extra());

    assertThat(facts).doesNotContainKey("error");
    assertThat(strings(facts.get("providers"))).singleElement().asString()
        .startsWith(backends.containsKey(CPU_PROVIDER_ID) ? CPU_PROVIDER_ID + ":" : "java-ref:");
    assertThat(strings(facts.get("devices"))).singleElement().asString()
        .endsWith(":cpu:0 READY");
    assertThat(facts.get("placed")).asString().endsWith(":cpu:0");
    assertThat((Double) facts.get("loss")).isFinite().isPositive();
    assertThat(strings(facts.get("problems"))).isEmpty();
  }

  @Test
  void everyBackendIsRankedByPriorityAndUnusableOnesFallBackToTheCpu(@TempDir Path tmp)
      throws Exception {
    Path[] standIn = standIn(tmp);
    Map<String, Object> facts = IsolatedClassPath.run(Set.of(), standIn);

    assertThat(facts).doesNotContainKey("error");
    List<String> providers = strings(facts.get("providers"));
    assertThat(providers).hasSize(backends.size() + standIn.length);
    assertThat(providers).isSortedAccordingTo((a, b) -> Integer.compare(priority(b),
        priority(a)));
    String placed = (String) facts.get("placed");
    List<String> devices = strings(facts.get("devices"));
    String firstReady = devices.stream().filter(d -> d.endsWith(" READY")).findFirst()
        .orElseThrow().split(" ")[0];
    assertThat(placed).as("no preference: the highest-ranked READY device").isEqualTo(firstReady);
    for (String d : devices) {
      if (d.endsWith(" UNAVAILABLE") || d.endsWith(" UNSTABLE")) {
        String device = d.split(" ")[0];
        String fallback = (String) facts.get("fallback " + device);
        assertThat(fallback).as("preferring %s", device).contains(":cpu:0\n")
            .contains(device).contains("rejected").contains("fallback");
      }
    }
    assertThat((Double) facts.get("loss")).isFinite();
  }

  @Test
  void aProviderJarWhoseConstructorThrowsIsReportedAndSkipped(@TempDir Path tmp)
      throws Exception {
    Path broken = IsolatedClassPath.servicesDir(tmp.resolve("broken"),
        BrokenProvider.class.getName());
    CpuOnly cpu = cpuOnly(tmp);
    Path[] extra = java.util.stream.Stream.concat(java.util.Arrays.stream(cpu.extra()),
        java.util.stream.Stream.of(broken)).toArray(Path[]::new);
    Map<String, Object> facts = IsolatedClassPath.run(cpu.exclude(), extra);

    assertThat(facts).doesNotContainKey("error");
    assertThat(strings(facts.get("providers"))).noneMatch(p -> p.startsWith("broken:"))
        .hasSize(1);
    assertThat(strings(facts.get("problems"))).singleElement().asString()
        .startsWith("A backend provider failed to load and was skipped: ")
        .contains(BrokenProvider.class.getName())
        .contains(BrokenProvider.MESSAGE);
    assertThat((Double) facts.get("loss")).isFinite();
  }

  private static int priority(String idAndPriority) {
    return Integer.parseInt(idAndPriority.substring(idAndPriority.lastIndexOf(':') + 1));
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object o) {
    return (List<String>) o;
  }
}
