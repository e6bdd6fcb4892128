package dev.backplane.io;

import dev.backplane.io.SavedModel.OptimizerState;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.model.Metric;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/** A small model that uses every layer type of the format, with weights and optimizer state. */
final class Fixtures {
  private Fixtures() {}

  static final List<Layer> LAYERS = List.of(new Flatten("flatten"),
      new Dense(5, Activation.RELU).withName("dense"), new Dropout(0.25, "dropout"),
      new Dense(3, Activation.LINEAR).withoutBias().withName("dense_1"),
      new ActivationLayer(Activation.SOFTMAX, "activation"));
  static final ModelConfig CONFIG =
      new ModelConfig("mlp", new int[] {2, 2}, LAYERS, OptionalLong.of(42));
  static final TrainingConfig TRAINING = new TrainingConfig(new Adam(0.01), Loss.of(
      "categorical_crossentropy").withFromLogits(), List.of(Metric.ACCURACY, Metric.MAE));

  /** The model with seeded weights, Adam slots filled with noise and 7 iterations. */
  static SavedModel model(boolean withOptimizer) {
    ModelState state = ModelSpec.create("mlp", new int[] {2, 2}, LAYERS, TRAINING.loss(),
        TRAINING.optimizer(), 42).initialState();
    SplittableRandom random = new SplittableRandom(7);
    List<NamedArray> slots = new ArrayList<>();
    for (NamedArray s : state.slots()) {
      float[] v = new float[s.values().length];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextDouble();
      }
      slots.add(new NamedArray(s.name(), s.shape(), v));
    }
    return new SavedModel(CONFIG, Optional.of(TRAINING), state.parameters(),
        withOptimizer ? Optional.of(new OptimizerState(slots, 7)) : Optional.empty());
  }
}
