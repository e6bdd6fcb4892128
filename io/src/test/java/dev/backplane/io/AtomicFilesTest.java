package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private static void write(Path file, String text) {
    AtomicFiles.write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theNextSaveRemovesTemporaryFilesAnInterruptedSaveLeft() throws IOException {
    Path target = dir.resolve("model.safetensors");
    // What a killed save leaves: the JDK temp-file name of earlier versions, and the new one.
    Path old = Files.createFile(dir.resolve(".model.safetensors1234567890.tmp"));
    Path orphan = Files.createFile(dir.resolve(".model.safetensors.98765.tmp"));
    Path otherTarget = Files.createFile(dir.resolve(".other.safetensors.98765.tmp"));
    Path similar = Files.createFile(dir.resolve(".model.safetensors.backup.tmp"));
    write(target, "new");
    assertThat(old).doesNotExist();
    assertThat(orphan).doesNotExist();
    assertThat(otherTarget).exists();
    assertThat(similar).exists();
    assertThat(Files.readString(target)).isEqualTo("new");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("model.safetensors", ".other.safetensors.98765.tmp",
              ".model.safetensors.backup.tmp");
    }
  }

  @Test
  void savedFilesFollowTheUmaskLikeAnyNewFile() throws IOException {
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
    Path reference = Files.createFile(dir.resolve("reference"));
    Path target = dir.resolve("model.safetensors");
    write(target, "x");
    assertThat(Files.getPosixFilePermissions(target))
        .isEqualTo(Files.getPosixFilePermissions(reference));
    write(target, "y");
    assertThat(Files.getPosixFilePermissions(target))
        .isEqualTo(Files.getPosixFilePermissions(reference));
  }

  @Test
  void theDirectoryIsFlushedAfterTheMove() {
    assumeThat(System.getProperty("os.name")).doesNotStartWith("Windows");
    long before = AtomicFiles.DIRECTORY_SYNCS.get();
    write(dir.resolve("a"), "a");
    assertThat(AtomicFiles.DIRECTORY_SYNCS.get()).isGreaterThan(before);
  }
}
