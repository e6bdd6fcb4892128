package dev.backplane.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.conformance.CheckResult;
import dev.backplane.conformance.Conformance;
import dev.backplane.conformance.ConformanceReport;
import dev.backplane.conformance.InterpreterProvider;
import dev.backplane.conformance.Status;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conformance page: the matrix, and each model check's curves overlaid on the reference. */
class ConformancePageTest {
  private static final Pattern FIGURE = Pattern.compile("<figure id=\"([^\"]+)\" "
      + "data-series=\"([^\"]*)\" data-points=\"([^\"]*)\" data-x-label=\"Epoch\" "
      + "data-y-label=\"loss\">\\s*<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

  @TempDir Path dir;

  @Test
  void theMatrixAndTheLossCurvesOfEveryModelCheckAreOnThePage() throws Exception {
    ConformanceReport run = Conformance.of(new InterpreterProvider())
        .reference(new InterpreterProvider()).only("model/reference", "model/softmax_sparse",
            "forward/relu").run();
    // A second backend whose curve is off: a copy of the results with a shifted curve.
    CheckResult ref = run.result("interpreter", "model/reference").orElseThrow();
    List<Double> shifted = ref.curves().get("tested").stream().map(v -> v + 0.1).toList();
    ConformanceReport other = new ConformanceReport(List.of(new CheckResult("shifted", "s:cpu:0",
        "model/reference", Status.FAIL, 0.1, 1e-4, "epoch losses off",
        Map.of("tested", shifted, "reference", ref.curves().get("reference")))));
    ConformanceReport report = run.plus(other);

    Path file = dir.resolve("conformance.html");
    ConformancePage.write(report, file);
    String html = Files.readString(file, StandardCharsets.UTF_8);

    assertThat(ref.curves().get("tested")).hasSize(3);
    assertThat(html).contains("<li>interpreter: 3 passed, 0 failed, 0 skipped</li>")
        .contains("<li>shifted: 0 passed, 1 failed, 0 skipped</li>")
        .containsPattern("<tr data-check=\"forward/relu\"><td>forward/relu</td><td>1\\.00e-05"
            + "</td><td class=\"pass\" title=\"[^\"]*\">pass [0-9.e+-]+</td><td></td></tr>")
        .containsPattern("<td class=\"fail\" title=\"epoch losses off\">fail 1\\.00e-01</td>");
    Matcher m = FIGURE.matcher(html);
    int figures = 0;
    while (m.find()) {
      figures++;
      byte[] png = Base64.getDecoder().decode(m.group(4));
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(image.getWidth()).isEqualTo(ReportCharts.WIDTH);
      if (m.group(1).equals("curve-model-reference")) {
        assertThat(m.group(2).split("\\|")).containsExactly("reference", "interpreter",
            "shifted");
        assertThat(m.group(3).split("\\|")).containsExactly("3", "3", "3");
        // every series is drawn in its palette colour
        for (int s = 0; s < 3; s++) {
          assertThat(pixels(image, ReportCharts.PALETTE[s])).as("series %d", s).isPositive();
        }
      } else {
        assertThat(m.group(1)).isEqualTo("curve-model-softmax_sparse");
        assertThat(m.group(2).split("\\|")).containsExactly("reference", "interpreter");
      }
    }
    assertThat(figures).isEqualTo(2);
    assertThat(Arrays.asList(html.split("<tr data-check=")).size() - 1).isEqualTo(3);
  }

  private static int pixels(BufferedImage image, Color c) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }
}
