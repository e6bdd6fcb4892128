package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.io.ModelFiles;
import dev.backplane.io.SavedModel;
import dev.backplane.io.SavedModels;
import dev.backplane.io.keras.ImportedModel;
import dev.backplane.io.keras.KerasModels;
import dev.backplane.io.npy.Npy;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Sequential;
import dev.backplane.model.Shapes;
import dev.backplane.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backplane predict}: runs a saved model on an NPY array. The model is a Keras model
 * ({@code .h5} from {@code model.save}, a {@code .keras} archive, or an architecture
 * {@code .json} with {@code --weights} from {@code save_weights}) or a Backplane model file.
 * Predictions go to {@code --output} as float32 NPY, or are printed one sample per line;
 * the placement explanation and import notes go to standard error.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Run a Keras or Backplane model on an NPY array.")
final class PredictCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  /** Where the model comes from: exactly one. */
  static final class Source {
    @Option(names = "--keras", paramLabel = "FILE", required = true,
        description = "Keras model: .h5 (model.save), .keras, or architecture .json with"
            + " --weights")
    Path keras;

    @Option(names = "--model", paramLabel = "FILE", required = true,
        description = "Backplane model file (ModelFiles.save)")
    Path model;
  }

  @Option(names = "--weights", paramLabel = "FILE",
      description = "Weights from Keras save_weights (.h5), with --keras FILE.json")
  Path weights;

  @Option(names = "--input", paramLabel = "FILE", required = true,
      description = "Inputs as NPY, float32 or float64, shaped (samples, input shape...)")
  Path input;

  @Option(names = "--output", paramLabel = "FILE",
      description = "Write the predictions as float32 NPY instead of printing them")
  Path output;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
      description = "Samples per step (default ${DEFAULT-VALUE})")
  int batchSize;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  private final Function<ConfigOptions, Backplane> backplanes;

  /** Places the model through the flags' configuration and the class path's backends. */
  PredictCommand() {
    this(ConfigOptions::backplane);
  }

  /** For tests: builds the Backplane from the flags with the given factory. */
  PredictCommand(Function<ConfigOptions, Backplane> backplanes) {
    this.backplanes = backplanes;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (weights != null && source.keras == null) {
      throw new IllegalArgumentException("--weights goes with --keras FILE.json (an architecture"
          + " JSON); a Backplane --model file holds its weights");
    }
    Path file = source.keras != null ? source.keras : source.model;
    SavedModel saved;
    if (source.keras != null) {
      ImportedModel imported = weights == null ? KerasModels.read(source.keras)
          : KerasModels.read(source.keras, weights);
      err.println("Read " + imported.source() + " from " + file);
      imported.notes().forEach(n -> err.println("note: " + n));
      saved = imported.model();
    } else {
      saved = ModelFiles.read(source.model);
    }
    Tensor x = Npy.read(input);
    // Inference only: the training config is not needed, so a backend that cannot train with
    // it can still predict; compile with placeholders that predict never uses.
    SavedModel inference = new SavedModel(saved.config(), Optional.empty(), saved.parameters(),
        Optional.empty());
    try (Backplane backplane = backplanes.apply(config);
        Sequential model = SavedModels.toSequential(file, inference, backplane)) {
      model.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(backplane)
          .build());
      err.println(model.placement().explain());
      Tensor y = model.predict(x, batchSize);
      if (output != null) {
        Npy.write(output, y);
        err.println("Wrote predictions " + Shapes.tuple(y.shape()) + " to " + output);
      } else {
        print(out, y);
      }
    }
    out.flush();
    err.flush();
    return 0;
  }

  private static void print(PrintWriter out, Tensor y) {
    int width = y.rowSize();
    for (int r = 0; r < y.rows(); r++) {
      StringBuilder line = new StringBuilder();
      for (int j = 0; j < width; j++) {
        line.append(j == 0 ? "" : " ").append(y.get(r * width + j));
      }
      out.println(line);
    }
  }
}
