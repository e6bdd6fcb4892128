package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.io.ModelFiles;
import dev.backplane.io.keras.KerasConfigs;
import dev.backplane.io.keras.KerasFiles;
import dev.backplane.io.keras.KerasFiles.LayerWeights;
import dev.backplane.io.keras.KerasModels;
import dev.backplane.io.npy.Npy;
import dev.backplane.io.testing.MiniProvider;
import dev.backplane.model.Dense;
import dev.backplane.model.Sequential;
import dev.backplane.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PredictCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine(new PredictCommand(c -> MiniProvider.backplane("mini")));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private static final float[][] K1 = new float[4][8];
  private static final float[][] K2 = new float[8][3];

  static {
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 8; j++) {
        K1[i][j] = (i - j) / 8f;
      }
    }
    for (int i = 0; i < 8; i++) {
      K2[i] = new float[] {i / 4f, -i / 8f, 1};
    }
  }

  private Path kerasModel() {
    Path file = dir.resolve("model.h5");
    KerasFiles.kerasH5Model(file, KerasConfigs.keras26(), KerasConfigs.TRAINING_26,
        List.of("dense", "dropout", "leaky_re_lu", "dense_1", "softmax"),
        List.of(LayerWeights.of("dense", K1, new float[8]),
            LayerWeights.of("dense_1", K2, new float[] {0, 1, 2})));
    return file;
  }

  private Path input() {
    Path x = dir.resolve("x.npy");
    Npy.write(x, Tensor.of(new float[] {1, 2, 3, 4, -1, 0, 1, 0.5f}, 2, 4));
    return x;
  }

  private float[] expected(Path model) {
    try (Backplane bp = MiniProvider.backplane("mini");
        Sequential m = KerasModels.toSequential(model, KerasModels.read(model), bp)) {
      return m.predict(Npy.read(input())).toArray();
    }
  }

  @Test
  void printsOneSamplePerLineAndExplainsOnStandardError() {
    Path model = kerasModel();
    float[] y = expected(model);

    assertThat(run("--keras", model.toString(), "--input", input().toString())).isZero();

    assertThat(out.toString().lines()).containsExactly(y[0] + " " + y[1] + " " + y[2],
        y[3] + " " + y[4] + " " + y[5]);
    assertThat(err.toString()).startsWith("Read Keras 2.6.0 HDF5 model (model.save) from "
        + model + "\n").contains("mini:cpu:0");
  }

  @Test
  void writesFloat32NpyWithOutput() {
    Path model = kerasModel();
    Path y = dir.resolve("y.npy");

    assertThat(run("--keras", model.toString(), "--input", input().toString(), "--output",
        y.toString())).isZero();

    Tensor written = Npy.read(y);
    assertThat(written.shape()).containsExactly(2, 3);
    assertThat(written.toArray()).containsExactly(expected(model));
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("Wrote predictions (2, 3) to " + y);
  }

  @Test
  void runsArchitectureJsonWithWeightsAndBackplaneModelFiles() throws IOException {
    Path model = kerasModel();
    Path json = dir.resolve("model.json");
    Files.writeString(json, KerasConfigs.keras26());
    Path y = dir.resolve("y.npy");
    assertThat(run("--keras", json.toString(), "--weights", model.toString(), "--input",
        input().toString(), "--output", y.toString())).isZero();
    assertThat(Npy.read(y).toArray()).containsExactly(expected(model));

    Path saved = dir.resolve("m.safetensors");
    Sequential m = new Sequential(new int[] {4}, new Dense(2, "relu"));
    ModelFiles.save(m, saved);
    assertThat(run("--model", saved.toString(), "--input", input().toString())).isZero();
    assertThat(out.toString().lines()).hasSize(2);
  }

  @Test
  void badFilesAndUsageExitWith2AndSayWhy() throws IOException {
    Path conv = dir.resolve("conv.h5");
    KerasFiles.kerasH5Model(conv, KerasConfigs.keras26(KerasFiles.json("{'class_name':"
        + " 'Dropout', 'config': {'name': 'dropout', 'trainable': true, 'dtype': 'float32',"
        + " 'rate': 0.2, 'noise_shape': null, 'seed': null}}"), KerasFiles.json("{'class_name':"
        + " 'LSTM', 'config': {'name': 'lstm'}}")), null, List.of("dense"), List.of());
    assertThat(run("--keras", conv.toString(), "--input", input().toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("error: " + conv + ": layer 'lstm' (LSTM): Keras"
        + " layer class 'LSTM' is not supported; Backplane imports InputLayer, Dense, Dropout,")
        .endsWith("\n");

    Path ints = dir.resolve("ints.npy");
    byte[] header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }\n".getBytes();
    byte[] npy = new byte[10 + header.length + 8];
    System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
        (byte) header.length, 0}, 0, npy, 0, 10);
    System.arraycopy(header, 0, npy, 10, header.length);
    Files.write(ints, npy);
    err.getBuffer().setLength(0);
    assertThat(run("--keras", kerasModel().toString(), "--input", ints.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("error: " + ints + ": NPY dtype '<i8' is not supported");

    Path wide = dir.resolve("wide.npy");
    Npy.write(wide, Tensor.zeros(2, 5));
    err.getBuffer().setLength(0);
    assertThat(run("--keras", kerasModel().toString(), "--input", wide.toString())).isEqualTo(2);
    assertThat(err.toString()).endsWith("error: Input of layer 'dense' (Dense) is incompatible"
        + " with the layer: expected shape (None, 4), but received x with shape (2, 5); reshape"
        + " the data or change the model's input shape\n");

    err.getBuffer().setLength(0);
    assertThat(run("--keras", "m.h5")).isEqualTo(2);
    assertThat(err.toString()).startsWith("Missing required option: '--input=FILE'");

    err.getBuffer().setLength(0);
    assertThat(run("--keras", "a.h5", "--model", "b.safetensors", "--input", "x.npy"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");

    err.getBuffer().setLength(0);
    assertThat(run("--model", "m.safetensors", "--weights", "w.h5", "--input", "x.npy"))
        .isEqualTo(2);
    assertThat(err.toString()).isEqualTo("error: --weights goes with --keras FILE.json (an"
        + " architecture JSON); a Backplane --model file holds its weights\n");
  }

  @Test
  void predictIsASubcommandOfTheCli() {
    assertThat(Main.commandLine(new Main()).getSubcommands()).containsKey("predict");
  }
}
