package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link LoaderFuzzMain} in a child JVM with a 256 MB heap, so that a mutant which makes a
 * loader allocate without bound ends the run in an {@link OutOfMemoryError} (reported, or
 * crashing the child) instead of passing in a test JVM with gigabytes of heap. The work per case
 * is bounded in the child by the bytes it allocates; the timeout here only guards against a hang.
 */
class LoaderFuzzTest {
  private static final long SEED = Long.getLong("backplane.fuzz.seed", 20251208L);
  private static final int CASES = Integer.getInteger("backplane.fuzz.cases", 150);

  @TempDir Path dir;

  @Test
  void everyLoaderEndsEveryMutantInItsOwnExceptionOrSuccessOnASmallHeap()
      throws IOException, InterruptedException {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), LoaderFuzzMain.class.getName(),
        dir.toString(), Long.toString(SEED), Integer.toString(CASES));
    Path log = dir.resolve("child.log");
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    process.getOutputStream().close();
    boolean finished = process.waitFor(540, TimeUnit.SECONDS); // hang guard only
    if (!finished) {
      process.destroyForcibly().waitFor();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.print(output.lines().filter(l -> l.startsWith("OK") || l.startsWith("FAIL"))
        .map(l -> "loader fuzz: " + l + "\n").reduce("", String::concat));
    assertThat(finished).as("child finished; output:%n%s", output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    for (String loader : List.of("safetensors", "h5", "keras", "npy", "npy-mapped", "csv")) {
      assertThat(output).as(output).containsPattern("(?m)^OK " + loader + " \\d+ \\d+ \\d+$");
    }
    assertThat(output).doesNotContain("FAIL").doesNotContain("OutOfMemoryError");
  }
}
