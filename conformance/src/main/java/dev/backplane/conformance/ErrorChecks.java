package dev.backplane.conformance;

import dev.backplane.Backplane;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.config.Fallback;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.List;

/**
 * {@code errors/*}: wrong input shapes and unknown layers fail with the documented exception type
 * and a message that names the layer, both through the SPI and through the user API on this
 * backend.
 */
final class ErrorChecks {
  private static final String MYSTERY = "mystery_layer";

  private ErrorChecks() {}

  /**
   * A model compiled on the backend is given inputs of the wrong width: {@code predict},
   * {@code evaluate} and {@code fit} throw {@link IllegalArgumentException} naming the first
   * layer and the expected shape, and the model stays usable.
   */
  static Measurement inputShape(Session s) {
    try (Backplane bp = backplane(s); Sequential model = new Sequential("input_shape_check",
        new int[] {10}, new Dense(3, "relu"), new Dense(1))) {
      model.compile(options(s, bp));
      Tensor bad = Tensor.zeros(4, 7);
      Tensor y = Tensor.zeros(4, 1);
      expectShapeError("predict", () -> model.predict(bad));
      expectShapeError("evaluate", () -> model.evaluate(bad, y));
      expectShapeError("fit", () -> model.fit(bad, y, 1, 4));
      Tensor out = model.predict(Tensor.zeros(4, 10));
      if (out.rows() != 4) {
        throw new CheckFailed("After the shape errors predict returned " + out.rows()
            + " rows for 4 samples");
      }
    }
    return Measurement.of(0, "predict, evaluate and fit with input (4, 7) for (None, 10)");
  }

  private static void expectShapeError(String call, Runnable r) {
    try {
      r.run();
    } catch (IllegalArgumentException e) {
      String m = String.valueOf(e.getMessage());
      if (!m.contains("'dense'") || !m.contains("(None, 10)")) {
        throw new CheckFailed(call + " with a wrong input shape threw IllegalArgumentException"
            + " without naming layer 'dense' and the expected shape (None, 10): " + m);
      }
      return;
    } catch (CheckSkipped | CheckFailed e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CheckFailed(call + " with a wrong input shape threw " + Conformance.describe(e)
          + " instead of IllegalArgumentException", e);
    }
    throw new CheckFailed(call + " accepted input of shape (4, 7) for a model expecting"
        + " (None, 10)");
  }

  /**
   * A model with a layer class the backend cannot know: {@code Backend.compile} and
   * {@code Sequential.compile} (fallback none) throw {@link UnsupportedFeatureException} naming
   * the layer and the backend.
   */
  static Measurement unsupportedLayer(Session s) {
    List<Layer> layers = List.of(new Dense(3).withName("dense"), new MysteryLayer(MYSTERY));
    ModelSpec spec = ModelSpec.create("unsupported_check", new int[] {4}, layers,
        Loss.MEAN_SQUARED_ERROR, new SGD(), ModelCases.SEED);
    String id = s.provider().id();
    expectUnsupported("Backend.compile", () -> s.compile(spec).close(), id);
    try (Backplane bp = backplane(s); Sequential model = new Sequential("unsupported_check",
        new int[] {4}, layers.toArray(Layer[]::new))) {
      expectUnsupported("Sequential.compile", () -> model.compile(options(s, bp)), id);
    }
    return Measurement.of(0, "layer '" + MYSTERY + "' (" + MysteryLayer.KERAS_CLASS + ")");
  }

  private static void expectUnsupported(String call, Runnable r, String backendId) {
    try {
      r.run();
    } catch (UnsupportedFeatureException e) {
      String m = String.valueOf(e.getMessage());
      if (!m.contains(MYSTERY) || !m.contains(backendId)) {
        throw new CheckFailed(call + " threw UnsupportedFeatureException without naming the"
            + " layer '" + MYSTERY + "' and the backend '" + backendId + "': " + m);
      }
      return;
    } catch (CheckSkipped | CheckFailed e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CheckFailed(call + " of a model with a custom layer threw "
          + Conformance.describe(e) + " instead of UnsupportedFeatureException", e);
    }
    throw new CheckFailed(call + " accepted layer '" + MYSTERY + "' ("
        + MysteryLayer.KERAS_CLASS + "), which it cannot know, instead of throwing"
        + " UnsupportedFeatureException");
  }

  /** A Backplane whose only backend is the opened backend under test. */
  private static Backplane backplane(Session s) {
    return Backplane.builder().serviceLoader(false).config(Conformance.isolatedConfig())
        .addProvider(new OpenedBackendProvider(s.provider().id(), s.deviceInfo(), s.backend()))
        .build();
  }

  private static CompileOptions options(Session s, Backplane bp) {
    return CompileOptions.builder().optimizer(new SGD()).loss(Loss.MEAN_SQUARED_ERROR)
        .backplane(bp).device(s.device().toString()).fallback(Fallback.NONE)
        .seed(ModelCases.SEED).build();
  }
}
