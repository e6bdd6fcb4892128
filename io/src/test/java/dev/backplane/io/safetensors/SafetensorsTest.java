package dev.backplane.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.io.ModelFileException;
import dev.backplane.spi.NamedArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  private static final NamedArray KERNEL =
      new NamedArray("dense/kernel", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f});
  private static final NamedArray BIAS = new NamedArray("dense/bias", new int[] {3},
      new float[] {0.25f, Float.NaN, Float.NEGATIVE_INFINITY});

  @Test
  void roundTripKeepsArraysOrderAndMetadata() {
    Path file = dir.resolve("w.safetensors");
    Safetensors.write(file, List.of(KERNEL, BIAS), Map.of("format", "x"));

    SafetensorsContent content = Safetensors.read(file);

    assertThat(content.arrays()).containsExactly(KERNEL, BIAS);
    assertThat(content.metadata()).containsExactly(Map.entry("format", "x"));
  }

  @Test
  void writesTheSpecifiedLayout() throws IOException {
    byte[] bytes = Safetensors.toBytes(List.of(KERNEL, BIAS), Map.of("k", "v"));
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertThat(n % 8).isZero();
    JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n,
        StandardCharsets.UTF_8));
    assertThat(header.get("__metadata__").get("k").asText()).isEqualTo("v");
    assertThat(header.get("dense/kernel").toString())
        .isEqualTo("{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}");
    assertThat(header.get("dense/bias").get("data_offsets").toString()).isEqualTo("[24,36]");
    assertThat(bytes).hasSize((int) (8 + n + 36));
    assertThat(b.getFloat((int) (8 + n + 20))).isEqualTo(-6.5f);
  }

  @Test
  void readsAFileWrittenByHand() throws IOException {
    String json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   ";
    Path file = write(json, 1f, 2f, 3f);

    SafetensorsContent content = Safetensors.read(file);

    assertThat(content.array("a").orElseThrow().values()).containsExactly(1f, 2f);
    assertThat(content.array("b").orElseThrow().values()).containsExactly(3f);
    assertThat(content.metadata()).isEmpty();
  }

  @Test
  void emptyAndZeroSizedTensorsAreFine() throws IOException {
    Path file = write("{\"z\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[0,0]}}");
    assertThat(Safetensors.read(file).arrays()).singleElement()
        .satisfies(a -> assertThat(a.shape()).containsExactly(0, 4));
  }

  @Test
  void rejectsOtherDtypesNamingTheSupportedOnes() throws IOException {
    Path file = write("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 0f);
    assertRejected(file, "tensor 'w': dtype F16 is not supported; Backplane reads F32 only"
        + " (safetensors defines BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32,"
        + " F32, F64, I64, U64)");
    assertRejected(write("{\"w\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 0f),
        "unknown dtype 'Q4'");
  }

  @Test
  void rejectsHeaderLengthsBeyondTheFileOrTheLimit() throws IOException {
    Path file = dir.resolve("long.safetensors");
    Files.write(file, le(1000, new byte[] {'{', '}'}));
    assertRejected(file, "safetensors header length 1000 exceeds the 2 bytes after the length"
        + " field; the file is truncated or not a safetensors file");
    Files.write(file, le(-1, new byte[] {'{', '}'}));
    assertRejected(file, "safetensors header length 18446744073709551615 exceeds the limit of "
        + Safetensors.MAX_HEADER_BYTES + " bytes");
    Files.write(file, new byte[] {1, 0, 0});
    assertRejected(file, "shorter than the 8-byte header length");
  }

  @Test
  void rejectsShapesThatDoNotMatchTheOffsets() throws IOException {
    assertRejected(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        1f, 2f), "tensor 'w': shape [3] needs 12 bytes of F32 but data_offsets [0, 8] span 8");
    assertRejected(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
        1f), "shape must hold non-negative integers but element 0 is number -1");
    assertRejected(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],"
        + "\"data_offsets\":[0,4]}}", 1f), "has more than 2147483647 values");
  }

  @Test
  void rejectsOffsetsOutsideOverlappingOrLeavingGaps() throws IOException {
    assertRejected(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
        1f, 2f), "data_offsets [4, 12] are not inside the data section of 8 bytes");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 1f, 2f),
        "tensor 'b' [4, 8) overlaps tensor 'a' [0, 8)");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
        1f, 2f), "the data section has a hole at bytes [0, 4) before tensor 'a'");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        1f, 2f), "the data section has 8 bytes but the tensors cover 4 (4 unindexed bytes at"
        + " the end)");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}",
        1f, 2f), "data_offsets [8, 4] are not inside");
  }

  @Test
  void rejectsMalformedHeaders() throws IOException {
    assertRejected(write("[1, 2]"), "safetensors header must start with '{' but starts with"
        + " byte 91");
    assertRejected(write("{\"a\": 1"), "safetensors header is not valid JSON");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 1f),
        "Duplicate field 'a'");
    assertRejected(write("{\"__metadata__\":{\"k\":1}}"),
        "safetensors __metadata__: value of 'k' must be a string but is number 1");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
        + "\"@class\":\"java.lang.Runtime\"}}", 1f), "tensor 'a': unknown field '@class'");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 1f),
        "tensor 'a': missing field 'data_offsets'");
    assertRejected(write("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}"),
        "safetensors header is not valid JSON");
  }

  @Test
  void truncatedDataIsRejected() throws IOException {
    Path file = dir.resolve("w.safetensors");
    Safetensors.write(file, List.of(KERNEL, BIAS), Map.of());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    assertRejected(file, "tensor 'dense/bias': data_offsets [24, 36] are not inside the data"
        + " section of 35 bytes");
  }

  @Test
  void writerRejectsDuplicateNames() {
    assertThatThrownBy(() -> Safetensors.toBytes(List.of(BIAS, BIAS), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'dense/bias'");
  }

  private void assertRejected(Path file, String problem) {
    assertThatThrownBy(() -> Safetensors.read(file)).isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(file.toString() + ": ").hasMessageContaining(problem);
  }

  private int count;

  private Path write(String json, float... data) throws IOException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + 4 * data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    for (float f : data) {
      b.putFloat(f);
    }
    Path file = dir.resolve("f" + count++ + ".safetensors");
    Files.write(file, b.array());
    return file;
  }

  private static byte[] le(long n, byte[] rest) {
    return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n)
        .put(rest).array();
  }
}
