package dev.backplane.tfjava;

import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.Shapes;
import dev.backplane.spi.ModelSpec;
import java.util.List;

/** What this backend can run, checked before any graph is built. */
final class ModelSupport {
  private ModelSupport() {}

  /**
   * Checks every layer and the loss.
   *
   * @throws UnsupportedFeatureException naming the first layer or option this backend cannot run
   */
  static void check(ModelSpec spec) {
    List<Layer> layers = spec.layers();
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("Model '" + spec.name() + "' has no layers");
    }
    for (Layer layer : layers) {
      String where = "layer '" + layer.name() + "' (" + layer.kerasClass() + ")";
      if (layer instanceof Dense d) {
        requireActivation(where, d.activation());
      } else if (layer instanceof ActivationLayer a) {
        requireActivation(where, a.activation());
      } else if (!(layer instanceof Flatten) && !(layer instanceof Dropout)) {
        throw new UnsupportedFeatureException(TfJavaProvider.ID, where
            + "; it runs Dense, Activation, Dropout and Flatten");
      }
    }
    int[] out = spec.outputShapeOf(layers.size() - 1);
    boolean categorical = spec.loss().type().kerasName().startsWith("categorical")
        || spec.loss().sparseLabels();
    if (categorical && out.length != 1) {
      throw new UnsupportedFeatureException(TfJavaProvider.ID, "loss " + spec.loss()
          + " on an output of shape " + Shapes.withBatch(out)
          + " (more than one feature axis); add a Flatten layer before the output");
    }
  }

  private static void requireActivation(String where, Activation a) {
    if (!Activations.supports(a)) {
      throw new UnsupportedFeatureException(TfJavaProvider.ID, "activation '" + a.kerasName()
          + "' of " + where);
    }
  }
}
