package dev.backplane.io.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.io.ModelFileException;
import dev.backplane.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  @Test
  void roundTripsFloat32() throws IOException {
    Path file = dir.resolve("x.npy");
    Tensor x = Tensor.of(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3);
    Npy.write(file, x);

    byte[] bytes = Files.readAllBytes(file);
    String header = new String(bytes, 10, 118, StandardCharsets.ISO_8859_1);
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
        .endsWith("\n");
    assertThat(bytes).hasSize(128 + 24);

    Tensor back = Npy.read(file);
    assertThat(back.shape()).containsExactly(2, 3);
    assertThat(back.toArray()).containsExactly(x.toArray());
  }

  @Test
  void writesOneDimensionalShapesWithPythonsTrailingComma() throws IOException {
    Path file = dir.resolve("v.npy");
    Npy.write(file, Tensor.of(new float[] {1, 2}, 2));
    assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
        .contains("'shape': (2,), }");
    assertThat(Npy.read(file).shape()).containsExactly(2);
  }

  @Test
  void readsFloat64AsNumpyWritesIt() throws IOException {
    Path file = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", 16,
        b -> b.putDouble(0.1).putDouble(-3));
    Tensor x = Npy.read(file);
    assertThat(x.shape()).containsExactly(2, 1);
    assertThat(x.toArray()).containsExactly(0.1f, -3f);
  }

  @Test
  void readsVersion2Headers() throws IOException {
    Path file = npy(2, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1,)}", 4,
        b -> b.putFloat(7));
    assertThat(Npy.read(file).toArray()).containsExactly(7f);
  }

  @Test
  void rejectsWhatItCannotRepresent() throws IOException {
    assertRejected(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", 4,
        b -> b.putFloat(1)), "NPY array is in Fortran order (fortran_order: True); only C order"
        + " is supported: save it with numpy.ascontiguousarray(x)");
    assertRejected(npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 8,
        b -> b.putLong(1)), "NPY dtype '<i8' is not supported; only float32 ('<f4') and float64"
        + " ('<f8') are: save it with x.astype('float32')");
    assertRejected(npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4,
        b -> b.putFloat(1)), "NPY dtype '>f4' is big-endian");
    assertRejected(npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 0,
        b -> { }), "NPY dtype '|O' is not supported");
    assertRejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4,
        b -> b.putFloat(1)), "NPY array is a scalar (shape ())");
  }

  @Test
  void rejectsTruncatedAndMalformedFiles() throws IOException {
    assertRejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8,
        b -> b.putFloat(1).putFloat(2)), "NPY shape [3] of <f4 needs 12 data bytes but the file"
        + " has 8 (truncated)");
    assertRejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), '__import__"
        + "': 1}", 0, b -> { }), "malformed NPY header (unsupported value");
    assertRejected(npy(1, "{'descr': '<f4', 'shape': (3,), }", 0, b -> { }),
        "NPY header lacks 'fortran_order'");
    Path text = dir.resolve("t.npy");
    Files.writeString(text, "1,2,3\n");
    assertRejected(text, "not an NPY file (no \\x93NUMPY magic and version)");
  }

  @Test
  void mutatedFilesReadOrFailWithModelFileException() throws IOException {
    Path valid = dir.resolve("valid.npy");
    Npy.write(valid, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
    byte[] bytes = Files.readAllBytes(valid);
    Random random = new Random(3);
    Path file = dir.resolve("mutant.npy");
    for (int i = 0; i < 400; i++) {
      byte[] b = random.nextInt(4) == 0 ? Arrays.copyOf(bytes, random.nextInt(bytes.length))
          : bytes.clone();
      if (b.length == bytes.length) {
        for (int f = 1 + random.nextInt(3); f > 0; f--) {
          // Mostly the header (the first 128 bytes), where a flip changes the meaning.
          b[random.nextInt(random.nextBoolean() ? 128 : b.length)] = (byte) random.nextInt(256);
        }
      }
      Files.write(file, b);
      try {
        Tensor t = Npy.read(file);
        assertThat(t.size()).isLessThanOrEqualTo(b.length / 4);
      } catch (ModelFileException e) {
        assertThat(e.getMessage()).startsWith(file + ": ");
      }
    }
  }

  private void assertRejected(Path file, String problem) {
    assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(file + ": ").hasMessageContaining(problem);
  }

  private interface Data {
    void put(ByteBuffer b);
  }

  private int count;

  private Path npy(int major, String dict, int dataBytes, Data data) throws IOException {
    byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
    int lengthBytes = major == 1 ? 2 : 4;
    ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + header.length + dataBytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) header.length);
    } else {
      b.putInt(header.length);
    }
    b.put(header);
    data.put(b);
    Path file = dir.resolve("a" + count++ + ".npy");
    Files.write(file, b.array());
    return file;
  }
}
