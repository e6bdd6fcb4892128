package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.spi.BackendProvider;
import dev.backplane.testing.FakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConformanceCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(BackendProvider[] providers, String... args) {
    CommandLine cli = new CommandLine(new ConformanceCommand(
        config -> providers.length == 0
            ? Backplane.builder().serviceLoader(false).config(TestBackplanes.config()).build()
            : TestBackplanes.of(TestBackplanes.config(), providers)));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.setExitCodeExceptionMapper(Main::exitCode);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("error: " + e.getMessage());
      return Main.exitCode(e);
    });
    return cli.execute(args);
  }

  @Test
  void jsonRowsHaveTheDocumentedFieldsAndAFailureExitsWithOne() {
    // The api's recording fake compiles any layer, even one it cannot know.
    int code = run(new BackendProvider[] {new FakeProvider("fake", 1)}, "--json", "--check",
        "errors/unsupported_layer,gradient/dense");

    assertThat(code).isEqualTo(1);
    assertThat(out.toString().strip()).isEqualTo("[{\"backend\":\"fake\",\"check\":"
        + "\"gradient/dense\",\"status\":\"pass\",\"maxDeviation\":0,\"tolerance\":0.01,"
        + "\"reason\":\"gradient of Dense(3, linear) + mean_squared_error (15 weights)\"},"
        + "{\"backend\":\"fake\",\"check\":\"errors/unsupported_layer\",\"status\":\"fail\","
        + "\"maxDeviation\":null,\"tolerance\":null,\"reason\":\"Backend.compile accepted layer"
        + " 'mystery_layer' (ConformanceMystery), which it cannot know, instead of throwing"
        + " UnsupportedFeatureException\"}]");
  }

  @Test
  void reportWritesThePageWithTheModelChecksCurves(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path page = dir.resolve("conformance.html");
    int code = run(new BackendProvider[] {new FakeProvider("fake", 1)}, "--check",
        "model/reference,forward/dense", "--report", page.toString());

    // The recording fake computes no real model, so both checks fail: the page shows by how much.
    assertThat(code).isEqualTo(1);
    String html = java.nio.file.Files.readString(page);
    assertThat(html).contains("<li>fake: 0 passed, 2 failed, 0 skipped</li>")
        .contains("<figure id=\"curve-model-reference\" data-series=\"reference|fake\""
            + " data-points=\"3|3\" data-x-label=\"Epoch\" data-y-label=\"loss\">")
        .contains("<tr data-check=\"forward/dense\">");
    assertThat(out.toString()).contains("fake (fake:cpu:0): 0 passed, 2 failed");
  }

  @Test
  void missingHardwareIsSkippedNotFailedAndTheMatrixSaysWhy() {
    FakeProvider metal = FakeProvider.withDevice("metal", 200, DeviceType.GPU,
        DeviceStatus.UNAVAILABLE, "Metal needs macOS on Apple silicon; this is Linux amd64");

    int code = run(new BackendProvider[] {metal}, "--check", "forward/dense,model");

    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("CHECK                        TOLERANCE  metal\n"
            + "forward/dense                1e-05      skip\n"
            + "model/reference              1e-04      skip\n")
        .contains("metal (no device): 0 passed, 0 failed, 10 skipped\n")
        .contains("  metal skip all 10 checks: no usable device: metal:gpu:0 UNAVAILABLE: Metal"
            + " needs macOS on Apple silicon; this is Linux amd64\n")
        .contains("Reference: the float64 interpreter of the op set (interpreter)");
  }

  @Test
  void anUnknownBackendIsAUsageErrorListingTheKnownOnes() {
    int code = run(new BackendProvider[] {new FakeProvider("fake", 1)}, "--backend", "nope");

    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("Unknown backend id 'nope' in --backend. Known"
        + " backends: fake");
  }

  @Test
  void noBackendAtAllIsTheDocumentedError() {
    int code = run(new BackendProvider[0]);

    assertThat(code).isEqualTo(Main.FAILURE);
    assertThat(err.toString()).startsWith("error: No Backplane backend found on the class path."
        + " Add a backend artifact, e.g. dev.backplane:backplane-backend-cpu-accelerate, to the"
        + " class path");
  }

  @Test
  void theCpuBackendOnTheClassPathPassesThroughMain() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.out;
    System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run("conformance", "--backend", "accelerate", "--check",
          "forward/gelu,gradient/softmax,model/reference,errors", "--json");
    } finally {
      System.setOut(old);
    }
    String json = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(code).as(json).isZero();
    assertThat(json).startsWith("[{\"backend\":\"accelerate\",\"check\":\"forward/gelu\","
        + "\"status\":\"pass\",\"maxDeviation\":")
        .doesNotContain("\"status\":\"fail\"").doesNotContain("\"status\":\"skip\"");
    assertThat(json.split("\"check\":", -1)).hasSize(6);
  }

  @Test
  void theSubcommandIsRegistered() {
    assertThat(new CommandLine(new Main()).getSubcommands()).containsKey("conformance");
  }
}
