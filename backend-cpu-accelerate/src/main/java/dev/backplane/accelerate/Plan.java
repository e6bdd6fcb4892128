package dev.backplane.accelerate;

import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.Shapes;
import dev.backplane.spi.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A model spec turned into ops: Dense, Activation and Dropout layers become {@link Op}s,
 * Flatten disappears (on row-major data it is a reshape), anything else is rejected before any
 * memory is allocated. Also decides the loss kernel (fused or not) and how far back the backward
 * pass must go: not past the first layer with parameters.
 */
final class Plan implements AutoCloseable {
  final MatrixEngine engine;
  final Op[] ops;
  final Parameter[] parameters;
  final LossKernel loss;
  /** Index of the first op with parameters; {@code ops.length} when there is none. */
  final int firstTrainable;

  private Plan(MatrixEngine engine, Op[] ops, Parameter[] parameters, LossKernel loss) {
    this.engine = engine;
    this.ops = ops;
    this.parameters = parameters;
    this.loss = loss;
    int first = ops.length;
    for (int i = ops.length - 1; i >= 0; i--) {
      if (ops[i].parameters().length > 0) {
        first = i;
      }
    }
    this.firstTrainable = first;
  }

  /**
   * Compiles the layers of a spec.
   *
   * @throws UnsupportedFeatureException naming the first layer this backend cannot run
   */
  static Plan compile(String backendId, ModelSpec spec, MatrixEngine engine) {
    List<Layer> layers = spec.layers();
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("Model '" + spec.name() + "' has no layers");
    }
    for (Layer layer : layers) {
      if (!(layer instanceof Dense || layer instanceof Dropout || layer instanceof ActivationLayer
          || layer instanceof Flatten)) {
        throw new UnsupportedFeatureException(backendId, "layer '" + layer.name() + "' ("
            + layer.kerasClass() + "); it runs Dense, Dropout, Activation and Flatten");
      }
    }
    int slotCount = spec.optimizer().slotNames().size();
    List<Op> ops = new ArrayList<>();
    List<Parameter> parameters = new ArrayList<>();
    try {
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        int in = Shapes.size(spec.inputShapeOf(i));
        int index = ops.size();
        if (layer instanceof Dense d) {
          String prefix = layer.name() + "/";
          Parameter kernel = new Parameter(prefix + "kernel", new int[] {in, d.units()},
              engine.allocate(in, d.units()), engine.allocate(in, d.units()), slotCount);
          parameters.add(kernel);
          Parameter bias = null;
          if (d.useBias()) {
            bias = new Parameter(prefix + "bias", new int[] {d.units()},
                new HeapMat(1, d.units()), new HeapMat(1, d.units()), slotCount);
            parameters.add(bias);
          }
          ops.add(new DenseOp(index, i, layer.name(), in, d.units(), d.activation(), kernel,
              bias));
        } else if (layer instanceof ActivationLayer a) {
          ops.add(new ActivationOp(index, i, layer.name(), in, a.activation()));
        } else if (layer instanceof Dropout d) {
          ops.add(new DropoutOp(index, i, layer.name(), in, d.rate(), spec.seed()));
        }
      }
    } catch (RuntimeException | Error e) {
      for (Parameter p : parameters) {
        p.close();
      }
      throw e;
    }
    Op[] array = ops.toArray(new Op[0]);
    LossKernel loss = new LossKernel(spec.loss(), lastActivation(array), spec.outputSize());
    return new Plan(engine, array, parameters.toArray(new Parameter[0]), loss);
  }

  private static Activation lastActivation(Op[] ops) {
    if (ops.length == 0) {
      return null;
    }
    Op last = ops[ops.length - 1];
    if (last instanceof DenseOp d) {
      return d.activation();
    }
    if (last instanceof ActivationOp a) {
      return a.activation();
    }
    return null;
  }

  @Override
  public void close() {
    for (Parameter p : parameters) {
      p.close();
    }
  }
}
