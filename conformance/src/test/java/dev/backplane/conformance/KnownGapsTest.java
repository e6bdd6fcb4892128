package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The known-gaps file: its format, and that only the backend's own jar counts. */
class KnownGapsTest {
  @Test
  void parsesPatternsAndReasonsSkippingComments() {
    List<KnownGap> gaps = KnownGaps.parse("# tf-java\n\ndeterminism/* = reductions race (#12)\n"
        + "forward/gelu=tanh approximation\n", "file");
    assertThat(gaps).containsExactly(
        new KnownGap("determinism/*", "reductions race (#12)", "file:3"),
        new KnownGap("forward/gelu", "tanh approximation", "file:4"));
    assertThat(gaps.get(0).matches("determinism/same_seed")).isTrue();
    assertThat(gaps.get(1).matches("forward/gelu")).isTrue();
    assertThat(gaps.get(1).matches("forward/gelu2")).isFalse();
  }

  @Test
  void aLineWithoutReasonIsAnErrorNamingTheLine() {
    assertThatThrownBy(() -> KnownGaps.parse("forward/gelu\n", "gaps.txt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Malformed line 1 of gaps.txt: 'forward/gelu'. Expected <check id or prefix*>"
            + " = <reason>, e.g. determinism/* = not bitwise reproducible");
  }

  @Test
  void onlyTheFileInTheProvidersOwnLocationCounts(@TempDir Path dir) throws Exception {
    Path mine = write(dir.resolve("mine"), "forward/gelu = mine");
    Path other = write(dir.resolve("other"), "* = someone else's");
    List<URL> files = List.of(mine.toUri().toURL(), other.toUri().toURL());

    List<KnownGap> gaps = KnownGaps.of(files, dir.resolve("mine").toUri().toString());
    assertThat(gaps).extracting(KnownGap::reason).containsExactly("mine");
  }

  private static Path write(Path root, String text) throws Exception {
    Path f = root.resolve(KnownGaps.RESOURCE);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    return f;
  }
}
