package dev.backplane.tfjava;

import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.spi.ModelSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The forward pass of a model: one op chain per layer, in training or inference mode. */
final class Forward {
  private Forward() {}

  /**
   * Builds the forward pass; the layers were checked by {@link ModelSupport}.
   *
   * @param params the parameter reads in state order
   * @param dropout the masks in training mode, {@code null} in inference mode
   * @return the output as {@code (n, outputSize)}
   */
  static Operand<TFloat32> build(Ops tf, ModelSpec spec, Operand<TFloat32> x,
      List<Operand<TFloat32>> params, DropoutMasks dropout) {
    Operand<TFloat32> h = x;
    int p = 0;
    List<Layer> layers = spec.layers();
    for (int i = 0; i < layers.size(); i++) {
      Ops layer = tf.withSubScope("layer_" + i);
      Layer l = layers.get(i);
      if (l instanceof Dense d) {
        h = layer.linalg.matMul(h, params.get(p++));
        if (d.useBias()) {
          h = layer.nn.biasAdd(h, params.get(p++));
        }
        h = Activations.apply(layer, d.activation(), h);
      } else if (l instanceof ActivationLayer a) {
        h = Activations.apply(layer, a.activation(), h);
      } else if (l instanceof Flatten) {
        h = layer.reshape(h, layer.constant(new int[] {-1, spec.outputShapeOf(i)[0]}));
      } else if (l instanceof Dropout d) {
        // Rate 0 is the identity; inference mode passes inputs through, as in Keras.
        if (dropout != null && d.rate() > 0) {
          h = dropout.apply(layer, h, spec.outputShapeOf(i), d.rate(), i);
        }
      } else {
        throw new IllegalStateException("Layer not checked by ModelSupport: " + l);
      }
    }
    if (spec.outputShapeOf(layers.size() - 1).length != 1) {
      h = tf.reshape(h, tf.constant(new int[] {-1, spec.outputSize()}));
    }
    return h;
  }
}
