package dev.backplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackplaneConfigTest {
  @TempDir
  Path dir;

  private BackplaneConfig.Builder isolated(Properties sys, Map<String, String> env) {
    return BackplaneConfig.builder().systemProperties(sys).environment(env).classpathFile(false);
  }

  @Test
  void precedenceIsProgramThenSystemPropertyThenEnvironmentThenFileThenDefault() throws Exception {
    Path file = dir.resolve("bp.properties");
    Files.writeString(file, "backplane.threads=4\nbackplane.seed=7\nbackplane.fallback=none\n"
        + "backplane.probe.timeout=9s\n");
    Properties sys = new Properties();
    sys.setProperty("backplane.config", file.toString());
    sys.setProperty("backplane.seed", "8");
    sys.setProperty("backplane.threads", "3");
    Map<String, String> env = Map.of("BACKPLANE_SEED", "9", "BACKPLANE_FALLBACK", "cpu");
    BackplaneConfig cfg = isolated(sys, env).set("backplane.threads", "2").build();

    assertThat(cfg.get(CoreKeys.THREADS)).isEqualTo(2);
    assertThat(cfg.sourceOf(CoreKeys.THREADS)).isEqualTo("program");
    assertThat(cfg.get(CoreKeys.SEED)).isEqualTo(8L);
    assertThat(cfg.sourceOf(CoreKeys.SEED)).isEqualTo("system property");
    assertThat(cfg.get(CoreKeys.FALLBACK)).isEqualTo(Fallback.CPU);
    assertThat(cfg.sourceOf(CoreKeys.FALLBACK)).isEqualTo("environment variable BACKPLANE_FALLBACK");
    assertThat(cfg.get(CoreKeys.PROBE_TIMEOUT)).isEqualTo(Duration.ofSeconds(9));
    assertThat(cfg.sourceOf(CoreKeys.PROBE_TIMEOUT)).contains("bp.properties, line 4");
    assertThat(cfg.get(CoreKeys.BACKEND)).isNull();
    cfg.validate(CoreKeys.all());
  }

  @Test
  void environmentNamesUpperCaseWithUnderscores() {
    assertThat(CoreKeys.PROBE_TIMEOUT.environmentName()).isEqualTo("BACKPLANE_PROBE_TIMEOUT");
    BackplaneConfig cfg = isolated(new Properties(),
        Map.of("BACKPLANE_PROBE_TIMEOUT", "250ms")).build();
    assertThat(cfg.get(CoreKeys.PROBE_TIMEOUT)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void everyProblemIsReportedAtOnceWithAllowedValues() {
    Properties sys = new Properties();
    sys.setProperty("backplane.thread", "2");
    sys.setProperty("backplane.fallback", "maybe");
    BackplaneConfig cfg = isolated(sys, Map.of("BACKPLANE_SEEDS", "1"))
        .set("backplane.probe.timeout", "soon").build();

    assertThatThrownBy(() -> cfg.validate(CoreKeys.all()))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.problems()).hasSize(3);
          assertThat(e.getMessage()).startsWith("Backplane configuration errors:")
              .endsWith("3 errors");
        })
        .hasMessageContaining("1) Unknown key backplane.thread (from system property). Known keys:"
            + " backplane.audit.every, backplane.backend, backplane.cache.dir, backplane.canary,"
            + " backplane.canary.timeout, backplane.config, backplane.device, backplane.fallback,"
            + " backplane.guard.snapshot.every, backplane.memory.limit, backplane.placement,"
            + " backplane.placement.batch-size, backplane.probe.cache")
        .hasMessageNotContaining("BACKPLANE_SEEDS")
        .hasMessageContaining("Invalid backplane.fallback configuration (from system property):"
            + " expected one of cpu, none. Expected cpu | none. Received: backplane.fallback=maybe")
        .hasMessageContaining("Received: backplane.probe.timeout=soon");
  }

  @Test
  void malformedFileNamesFileAndLine() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "# comment\nbackplane.threads=2\nthis line is wrong\n");
    Properties sys = new Properties();
    sys.setProperty("backplane.config", file.toString());
    BackplaneConfig cfg = isolated(sys, Map.of()).build();
    assertThatThrownBy(() -> cfg.validate(CoreKeys.all()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Malformed line in file " + file + ", line 3: 'this line is wrong'")
        .hasMessageContaining("Expected key=value");
  }

  @Test
  void missingConfigFileIsAnError() {
    BackplaneConfig cfg = isolated(new Properties(), Map.of())
        .set("backplane.config", dir.resolve("nope.properties").toString()).build();
    assertThatThrownBy(() -> cfg.validate(CoreKeys.all()))
        .hasMessageContaining("nope.properties (from backplane.config) does not exist");
  }

  @Test
  void valueParsers() {
    assertThat(Values.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Values.duration("3s")).isEqualTo(Duration.ofSeconds(3));
    assertThat(Values.duration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Values.list(" metal, tf-java:gpu ,cpu")).isEqualTo(List.of("metal", "tf-java:gpu",
        "cpu"));
    assertThatThrownBy(() -> Values.intIn("0", 1, 4)).hasMessageContaining("from 1 to 4");
  }

  @Test
  void getOfMalformedValueNamesKeyAndSource() {
    BackplaneConfig cfg = isolated(new Properties(), Map.of())
        .set("backplane.threads", "many").build();
    assertThatThrownBy(() -> cfg.get(CoreKeys.THREADS))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid backplane.threads configuration (from program)");
  }

  @Test
  void overflowingAndZeroDurationsAreConfigErrorsWithTheRange() {
    BackplaneConfig huge = isolated(new Properties(), Map.of()).set("backplane.step.timeout",
        "999999999h").build();
    assertThatThrownBy(() -> huge.validate(CoreKeys.all())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("backplane.step.timeout").hasMessageContaining("0ms to 720h");
    BackplaneConfig digits = isolated(new Properties(), Map.of()).set("backplane.step.timeout",
        "99999999999999999999999s").build();
    assertThatThrownBy(() -> digits.validate(CoreKeys.all())).isInstanceOf(ConfigException.class);
    BackplaneConfig zero = isolated(new Properties(), Map.of()).set("backplane.probe.timeout",
        "0").build();
    assertThatThrownBy(() -> zero.validate(CoreKeys.all())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("backplane.probe.timeout").hasMessageContaining("1ms to 720h");
  }

  @Test
  void aConfigDirectoryIsNamedAsADirectory() {
    Properties sys = new Properties();
    sys.setProperty("backplane.config", dir.toString());
    BackplaneConfig cfg = isolated(sys, Map.of()).build();
    assertThatThrownBy(() -> cfg.validate(CoreKeys.all())).hasMessageContaining("is a directory")
        .hasMessageNotContaining("does not exist");
  }

  @Test
  void backendIdsAndDevicesAreTrimmedAndCaseInsensitive() {
    BackplaneConfig cfg = isolated(new Properties(), Map.of())
        .set("backplane.backend", " TF-Java , Accelerate ").set("backplane.device", " CPU ")
        .build();
    assertThat(cfg.get(CoreKeys.BACKEND)).containsExactly("tf-java", "accelerate");
    assertThat(cfg.get(CoreKeys.DEVICE)).isEqualTo("cpu");
  }

  @Test
  void aLineContinuationIsAnErrorNotASilentJoin() throws Exception {
    Path file = dir.resolve("bp.properties");
    Files.writeString(file, "backplane.backend=tf-java,\\\n  accelerate\n");
    Properties sys = new Properties();
    sys.setProperty("backplane.config", file.toString());
    BackplaneConfig cfg = isolated(sys, Map.of()).build();
    assertThatThrownBy(() -> cfg.validate(CoreKeys.all()))
        .hasMessageContaining("Line continuation").hasMessageContaining("line 1");
  }

  @Test
  void aStrayEnvironmentVariableIsIgnoredNotAnError() {
    BackplaneConfig cfg = isolated(new Properties(), Map.of("BACKPLANE_HOME", "/opt/other",
        "BACKPLANE_SEED", "5")).build();
    cfg.validate(CoreKeys.all());
    assertThat(cfg.get(CoreKeys.SEED)).isEqualTo(5L);
  }
}
