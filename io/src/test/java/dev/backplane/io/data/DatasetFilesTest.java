package dev.backplane.io.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.data.Dataset;
import dev.backplane.io.ModelFileException;
import dev.backplane.io.npy.Npy;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFilesTest {
  @TempDir
  Path dir;
  private final List<Backplane> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(Backplane::close);
  }

  /** Writes an NPY v1.0 file of raw little-endian values. */
  static Path npy(Path file, String descr, boolean fortran, int[] shape, ByteBuffer data)
      throws IOException {
    StringBuilder s = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': "
        + (fortran ? "True" : "False") + ", 'shape': (");
    for (int d : shape) {
      s.append(d).append(", ");
    }
    s.append("), }");
    while ((10 + s.length() + 1) % 64 != 0) {
      s.append(' ');
    }
    s.append('\n');
    byte[] header = s.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + header.length + data.remaining())
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) header.length).put(header).put(data);
    Files.write(file, b.array());
    return file;
  }

  static ByteBuffer buffer(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** 30 samples of 3 features, 3 classes: argmax of the features. */
  static float[][] data() {
    SplittableRandom r = new SplittableRandom(5);
    float[][] x = new float[30][3];
    for (float[] row : x) {
      for (int j = 0; j < 3; j++) {
        row[j] = (float) r.nextDouble(-1, 1);
      }
    }
    return x;
  }

  static int[] labels(float[][] x) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i][0] > x[i][1] ? (x[i][0] > x[i][2] ? 0 : 2) : x[i][1] > x[i][2] ? 1 : 2;
    }
    return y;
  }

  private Sequential model() {
    Backplane bp = TestBackplanes.of(TestBackplanes.config(), new ReferenceFakeProvider());
    opened.add(bp);
    Sequential m = new Sequential(new int[] {3}, new Dense(6, "relu"), new Dense(3, "softmax"));
    m.compile(CompileOptions.builder().optimizer("adam").loss("sparse_categorical_crossentropy")
        .metrics("accuracy").backplane(bp).seed(11).build());
    return m;
  }

  /** The fit's printed epoch lines without their timings. */
  private static List<String> printedLosses(ByteArrayOutputStream printed) {
    List<String> lines = new ArrayList<>();
    for (String line : printed.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.contains("loss:")) {
        lines.add(line.replaceAll(" - \\d+s( \\d+[mu]?s/step)?", "").trim());
      }
    }
    return lines;
  }

  private History fit(Sequential m, Dataset data, ByteArrayOutputStream printed) {
    return m.fit(data, FitOptions.builder().epochs(4).batchSize(8).validationSplit(0.2)
        .verbose(2).output(new PrintStream(printed, true, StandardCharsets.UTF_8)).build());
  }

  @Test
  void trainingFromMappedNpyFilesPrintsExactlyTheLossesOfTheSameArrays() throws IOException {
    float[][] x = data();
    int[] y = labels(x);
    Path xFile = dir.resolve("x.npy");
    Npy.write(xFile, Tensor.of(x));
    ByteBuffer ys = buffer(4 * y.length);
    for (int v : y) {
      ys.putInt(v);
    }
    Path yFile = npy(dir.resolve("y.npy"), "<i4", false, new int[] {y.length}, ys.flip());

    ByteArrayOutputStream fromArrays = new ByteArrayOutputStream();
    History a = fit(model(), Dataset.of(x, y), fromArrays);
    ByteArrayOutputStream fromFiles = new ByteArrayOutputStream();
    NpyDataset files = Datasets.npy(xFile, yFile);
    assertThat(files.labelSize()).isEqualTo(1);
    assertThat(files.featureShape()).containsExactly(3);
    History b = fit(model(), files, fromFiles);

    assertThat(b.history()).isEqualTo(a.history());
    assertThat(printedLosses(fromFiles)).hasSize(4).isEqualTo(printedLosses(fromArrays));
    assertThat(printedLosses(fromFiles).get(0)).contains("loss: ").contains("val_loss: ");
  }

  @Test
  void everyDtypeAndFortranOrderReadsAsTheSameRows() throws IOException {
    // a (2, 3, 2) array of 0..11
    int[] shape = {2, 3, 2};
    float[] expected = new float[12];
    for (int i = 0; i < 12; i++) {
      expected[i] = i;
    }
    ByteBuffer f4 = buffer(48);
    ByteBuffer f8 = buffer(96);
    ByteBuffer i8 = buffer(96);
    ByteBuffer u1 = buffer(12);
    ByteBuffer fortran = buffer(48);
    for (int i = 0; i < 12; i++) {
      f4.putFloat(i);
      f8.putDouble(i);
      i8.putLong(i);
      u1.put((byte) i);
    }
    // Fortran order: the first index varies fastest
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < 3; j++) {
        for (int i = 0; i < 2; i++) {
          fortran.putFloat(i * 6 + j * 2 + k);
        }
      }
    }
    List<NpyArray> arrays = List.of(
        NpyArray.open(npy(dir.resolve("f4.npy"), "<f4", false, shape, f4.flip())),
        NpyArray.open(npy(dir.resolve("f8.npy"), "<f8", false, shape, f8.flip())),
        NpyArray.open(npy(dir.resolve("i8.npy"), "<i8", false, shape, i8.flip())),
        NpyArray.open(npy(dir.resolve("u1.npy"), "|u1", false, shape, u1.flip())),
        NpyArray.open(npy(dir.resolve("fo.npy"), "<f4", true, shape, fortran.flip())));
    for (NpyArray a : arrays) {
      float[] rows = new float[12];
      a.readRow(0, rows, 0);
      a.readRow(1, rows, 6);
      assertThat(rows).as(a.toString()).containsExactly(expected);
    }
    ByteBuffer b1 = buffer(3).put(new byte[] {1, 0, 1});
    NpyArray bools = NpyArray.open(npy(dir.resolve("b1.npy"), "|b1", false, new int[] {3},
        b1.flip()));
    float[] v = new float[3];
    for (int i = 0; i < 3; i++) {
      bools.readRow(i, v, i);
    }
    assertThat(v).containsExactly(1, 0, 1);
    assertThatThrownBy(() -> NpyArray.open(npy(dir.resolve("c.npy"), "<c8", false,
        new int[] {1}, buffer(8)))).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("'<c8' is not supported");
    assertThatThrownBy(() -> NpyArray.open(npy(dir.resolve("t.npy"), "<f4", false,
        new int[] {4}, buffer(8)))).hasMessageContaining("(truncated)");
    Path y = npy(dir.resolve("y5.npy"), "<f4", false, new int[] {5}, buffer(20));
    assertThatThrownBy(() -> Datasets.npy(dir.resolve("f4.npy"), y))
        .hasMessageContaining("has 2 samples but");
  }

  @Test
  void csvSelectsColumnsByNameAndTrainsLikeTheArrays() throws IOException {
    float[][] x = data();
    int[] y = labels(x);
    StringBuilder csv = new StringBuilder("id,b,label,a,c\n");
    for (int i = 0; i < x.length; i++) {
      csv.append(i).append(',').append(x[i][1]).append(',').append(y[i]).append(',')
          .append(x[i][0]).append(',').append(x[i][2]).append('\n');
    }
    Path file = Files.writeString(dir.resolve("d.csv"), csv);
    var data = Datasets.csv(file, "label", List.of("a", "b", "c"));
    assertThat(data.x().toMatrix()).isEqualTo(x);
    assertThat(data.y().toArray()).containsExactly(Tensor.ofLabels(y).toArray());
    History a = fit(model(), Dataset.of(x, y), new ByteArrayOutputStream());
    History b = fit(model(), data, new ByteArrayOutputStream());
    assertThat(b.history()).isEqualTo(a.history());
    assertThat(Datasets.csv(file, "label").featureShape()).containsExactly(4);
  }

  @Test
  void csvErrorsNameTheRowAndColumn() throws IOException {
    Path missing = Files.writeString(dir.resolve("m.csv"), "a,b,y\n1,2,0\n3,,1\n");
    assertThatThrownBy(() -> Datasets.csv(missing, "y"))
        .isInstanceOf(ModelFileException.class)
        .hasMessageContaining("missing value at row 2 (line 3), column 'b'");
    Path bad = Files.writeString(dir.resolve("b.csv"), "a,b,y\n1,2,0\n3,4,1\n5,x7,0\n");
    assertThatThrownBy(() -> Datasets.csv(bad, "y"))
        .hasMessageContaining("cannot parse 'x7' at row 3 (line 4), column 'b' as a number");
    Path shortRow = Files.writeString(dir.resolve("s.csv"), "a,b,y\n1,2\n");
    assertThatThrownBy(() -> Datasets.csv(shortRow, "y"))
        .hasMessageContaining("missing value at row 1 (line 2), column 'y'");
    assertThatThrownBy(() -> Datasets.csv(bad, "label"))
        .hasMessageContaining("no label column 'label'; its columns are [a, b, y]");
    assertThatThrownBy(() -> Datasets.csv(bad, "y", List.of("a", "z")))
        .hasMessageContaining("no column 'z'");
  }
}
