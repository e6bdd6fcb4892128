package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.backplane.io.safetensors.Safetensors;
import dev.backplane.io.safetensors.SafetensorsContent;
import dev.backplane.spi.NamedArray;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bombs, huge tensors and huge error messages. */
class HostileInputTest {
  @TempDir Path dir;

  @Test
  void aJsonOfMillionsOfEmptyArraysIsRejectedWhileStreaming() {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < 1_100_000; i++) {
      s.append("[],");
    }
    s.append("[]]");
    byte[] json = s.toString().getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("config.json");
    AllocatedBytes.Result r = AllocatedBytes.measure(() -> SafeJson.parse(file, "config", json));
    assertThat(r.thrown()).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("Token count");
    assertThat(r.bytes()).isLessThan(150L << 20);
  }

  @Test
  void deepNestingIsAModelFileException() {
    byte[] json = ("[".repeat(30_000) + "]".repeat(30_000)).getBytes(StandardCharsets.UTF_8);
    assertThat(AllocatedBytes.measure(() -> SafeJson.parse(dir.resolve("a.json"), "config",
        json)).thrown()).isInstanceOf(ModelFileException.class);
  }

  @Test
  void errorsDuringLoadingBecomeModelFileExceptions() {
    Path file = dir.resolve("x");
    assertThat(AllocatedBytes.measure(() -> ModelFileException.guard(file, () -> {
      throw new OutOfMemoryError("Java heap space");
    })).thrown()).isInstanceOf(ModelFileException.class).hasMessageContaining("memory");
    assertThat(AllocatedBytes.measure(() -> ModelFileException.guard(file, () -> {
      throw new StackOverflowError();
    })).thrown()).isInstanceOf(ModelFileException.class);
  }

  @Test
  void aTensorLoadsWithOneCopyInTheHeap() throws IOException {
    int n = 16 << 20; // 64 MiB of floats
    float[] values = new float[n];
    values[n - 1] = 3.5f;
    Path file = dir.resolve("big.safetensors");
    Safetensors.write(file, List.of(new NamedArray("w", new int[] {n}, values)), Map.of());
    values = null;
    SafetensorsContent[] read = new SafetensorsContent[1];
    AllocatedBytes.Result r = AllocatedBytes.measure(() -> read[0] = Safetensors.read(file));
    assertThat(r.thrown()).isNull();
    assertThat(read[0].arrays().get(0).values()[n - 1]).isEqualTo(3.5f);
    // The float[] itself (64 MiB) and a small buffer, not a second 64 MiB copy.
    assertThat(r.bytes()).isLessThan((64L << 20) + (8 << 20));
  }

  @Test
  void aTensorOverTwoGibibytesLoads() throws IOException {
    assumeThat(Runtime.getRuntime().maxMemory()).as("heap for a 2 GiB tensor")
        .isGreaterThan(3L << 30);
    int n = (1 << 29) + 1; // 2 GiB + 4 bytes
    long bytes = (long) n * Float.BYTES;
    String json = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[0,"
        + bytes + "]}}";
    json = json + " ".repeat((8 - json.length() % 8) % 8);
    Path file = dir.resolve("huge.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length())
          .array());
      raf.write(json.getBytes(StandardCharsets.US_ASCII));
      raf.setLength(8 + json.length() + bytes - 4);
      raf.seek(8 + json.length() + bytes - 4);
      raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(7f).array());
    }
    SafetensorsContent content = Safetensors.read(file);
    float[] values = content.arrays().get(0).values();
    assertThat(values).hasSize(n);
    assertThat(values[n - 1]).isEqualTo(7f);
    assertThat(values[0]).isZero();
  }

  @Test
  void errorMessagesNameTheFirstFewTensorsAndACount() throws IOException {
    Path weights = dir.resolve("w.safetensors");
    ModelFileFormat.writeWeights(weights, Fixtures.model(false).parameters());
    SafetensorsContent c = Safetensors.read(weights);
    List<NamedArray> arrays = new ArrayList<>(c.arrays());
    for (int i = 0; i < 100_000; i++) {
      arrays.add(new NamedArray("extra/tensor_" + i, new int[] {0}, new float[0]));
    }
    Safetensors.write(weights, arrays, new LinkedHashMap<>(c.metadata()));
    AllocatedBytes.Result r = AllocatedBytes.measure(
        () -> ModelFileFormat.readWeights(weights, Fixtures.CONFIG));
    assertThat(r.thrown()).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("extra/tensor_0")
        .hasMessageContaining("(100000 in all)");
    assertThat(r.thrown().getMessage().length()).isLessThan(2000);
  }

  @Test
  void listsAndMessagesAreCapped() {
    assertThat(Messages.list(List.of(1, 2, 3))).isEqualTo("[1, 2, 3]");
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(i);
    }
    assertThat(Messages.list(many)).isEqualTo("[0, 1, 2, 3, 4, 5, 6, 7, ... (1000 in all)]");
    ModelFileException e = new ModelFileException(dir, "x".repeat(1 << 20));
    assertThat(e.getMessage().length()).isLessThan(Messages.MAX_MESSAGE + 200);
  }
}
