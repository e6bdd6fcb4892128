package dev.backplane.io.keras;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.io.AllocatedBytes;
import dev.backplane.io.ModelFileException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code .keras} zip bomb stops at the architecture's weight sizes, not at the heap's end. */
class KerasBombTest {
  @TempDir Path dir;

  @Test
  void weightsThatInflateFarBeyondTheArchitectureAreRejectedEarly() throws IOException {
    Path valid = dir.resolve("valid.keras");
    KerasFiles.kerasArchive(valid, KerasConfigs.KERAS_3, Map.of(
        "dense", List.of(KerasModelsTest.HIDDEN, new float[4]),
        "dense_1", List.of(KerasModelsTest.LOGITS, new float[2])));
    Path bomb = dir.resolve("bomb.keras");
    try (ZipFile in = new ZipFile(valid.toFile());
        OutputStream out = Files.newOutputStream(bomb);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (String name : List.of("metadata.json", "config.json")) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(in.getInputStream(in.getEntry(name)).readAllBytes());
        zip.closeEntry();
      }
      zip.putNextEntry(new ZipEntry("model.weights.h5"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 256; i++) { // 256 MiB of zeros, about 256 KB deflated
        zip.write(zeros);
      }
      zip.closeEntry();
    }
    assertThat(Files.size(bomb)).isLessThan(2 << 20);
    AllocatedBytes.Result r = AllocatedBytes.measure(() -> KerasModels.read(bomb));
    assertThat(r.thrown()).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("model.weights.h5")
        .hasMessageContaining("zip bomb");
    assertThat(r.bytes()).as("bytes allocated").isLessThan(64L << 20);
  }

  @Test
  void aConfigOfDeeplyNestedEmptyArraysIsRejected() throws IOException {
    Path bomb = dir.resolve("nested.keras");
    try (OutputStream out = Files.newOutputStream(bomb);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("config.json"));
      zip.write(("{\"class_name\": \"Sequential\", \"config\": {\"layers\": "
          + "[".repeat(29_000) + "]".repeat(29_000) + "}}").getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    AllocatedBytes.Result r = AllocatedBytes.measure(() -> KerasModels.read(bomb));
    assertThat(r.thrown()).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("nesting depth");
    assertThat(r.bytes()).as("bytes allocated").isLessThan(16L << 20);
  }

  @Test
  void aHugeConfigIsRejected() throws IOException {
    Path bomb = dir.resolve("config-bomb.keras");
    try (OutputStream out = Files.newOutputStream(bomb);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("config.json"));
      byte[] arrays = "[],".repeat(1 << 18).getBytes(StandardCharsets.UTF_8);
      zip.write('[');
      for (int i = 0; i < 12; i++) { // 9.4 million empty arrays
        zip.write(arrays);
      }
      zip.write("[]]".getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("model.weights.h5"));
      zip.closeEntry();
    }
    AllocatedBytes.Result r = AllocatedBytes.measure(() -> KerasModels.read(bomb));
    assertThat(r.thrown()).isInstanceOf(ModelFileException.class);
    assertThat(r.bytes()).as("bytes allocated").isLessThan(400L << 20);
  }
}
