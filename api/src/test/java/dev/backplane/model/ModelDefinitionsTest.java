package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizers;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelDefinitionsTest {
  @Test
  void erfMatchesKnownValues() {
    assertThat(Erf.erf(0)).isEqualTo(0);
    assertThat(Erf.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-14));
    assertThat(Erf.erf(1)).isCloseTo(0.8427007929497149, within(1e-14));
    assertThat(Erf.erf(-2)).isCloseTo(-0.9953222650189527, within(1e-14));
    assertThat(Erf.erf(5)).isCloseTo(0.9999999999984626, within(1e-14));
  }

  @Test
  void activationsFollowKeras() {
    assertThat(Activation.GELU.apply(1)).isCloseTo(0.8413447460685429, within(1e-12));
    assertThat(Activation.LEAKY_RELU.apply(-1)).isEqualTo(-0.2);
    assertThat(Activation.ELU.apply(-1)).isCloseTo(Math.exp(-1) - 1, within(1e-15));
    assertThat(Activation.of(null)).isEqualTo(Activation.LINEAR);
    assertThatThrownBy(() -> Activation.SOFTMAX.apply(1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void accuracyResolvesAsKerasDoes() {
    assertThat(Metric.ACCURACY.resolve(Loss.BINARY_CROSSENTROPY, 1))
        .isEqualTo(Metric.BINARY_ACCURACY);
    assertThat(Metric.ACCURACY.resolve(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 3))
        .isEqualTo(Metric.SPARSE_CATEGORICAL_ACCURACY);
    assertThat(Metric.ACCURACY.resolve(Loss.CATEGORICAL_CROSSENTROPY, 3))
        .isEqualTo(Metric.CATEGORICAL_ACCURACY);
    assertThat(Metric.ACCURACY.resolve(Loss.MEAN_SQUARED_ERROR, 1))
        .isEqualTo(Metric.BINARY_ACCURACY);
    assertThat(Metric.of("acc")).isEqualTo(Metric.ACCURACY);
  }

  @Test
  void optimizerDefaultsAreKeras() {
    assertThat(Optimizers.of("adam")).isEqualTo(new Adam(0.001, 0.9, 0.999, 1e-7));
    assertThat(Optimizers.of("SGD")).isEqualTo(new SGD(0.01, 0, false));
    assertThat(Optimizers.of("rmsprop")).isEqualTo(new RMSprop(0.001, 0.9, 0, 1e-7));
    assertThat(new SGD(0.1, 0.9, true).slotNames()).containsExactly("momentum");
    assertThatThrownBy(() -> new Adam(-1)).hasMessageContaining("learning_rate must be a positive");
    assertThat(Loss.of("mse")).isEqualTo(Loss.MEAN_SQUARED_ERROR);
    assertThatThrownBy(() -> Loss.MEAN_SQUARED_ERROR.withFromLogits())
        .hasMessageContaining("has no from_logits");
  }

  @Test
  void initialWeightsAreSeededAndGlorotBounded() {
    List<Layer> layers = List.of(new Dense(128, "relu").withName("dense"),
        new Dense(1, "sigmoid").withName("dense_1"));
    ModelSpec a = ModelSpec.create("m", new int[] {10}, layers, Loss.BINARY_CROSSENTROPY,
        new Adam(), 42);
    ModelSpec b = ModelSpec.create("m", new int[] {10}, layers, Loss.BINARY_CROSSENTROPY,
        new Adam(), 42);
    ModelSpec c = ModelSpec.create("m", new int[] {10}, layers, Loss.BINARY_CROSSENTROPY,
        new Adam(), 43);
    assertThat(a.initialState().parameters()).isEqualTo(b.initialState().parameters());
    assertThat(a.initialState().parameters()).isNotEqualTo(c.initialState().parameters());
    assertThat(a.parameterNames()).containsExactly("dense/kernel", "dense/bias",
        "dense_1/kernel", "dense_1/bias");
    assertThat(a.initialState().slots()).extracting(s -> s.name()).containsExactly(
        "dense/kernel/m", "dense/kernel/v", "dense/bias/m", "dense/bias/v", "dense_1/kernel/m",
        "dense_1/kernel/v", "dense_1/bias/m", "dense_1/bias/v");
    double limit = Math.sqrt(6.0 / (10 + 128));
    for (float v : a.initialState().parameter("dense/kernel").values()) {
      assertThat((double) Math.abs(v)).isLessThanOrEqualTo(limit);
    }
    assertThat(a.initialState().parameter("dense/bias").values()).containsOnly(0f);
  }

  @Test
  void denseOnMultiAxisInputAsksForFlatten() {
    assertThatThrownBy(() -> new Sequential(new int[] {28, 28}, new Dense(10)))
        .hasMessageContaining("Layer 'dense' (Dense) expects one feature axis per sample but its"
            + " input has shape (None, 28, 28); add a Flatten layer before it");
    Sequential ok = new Sequential(new int[] {28, 28}, new Flatten(), new Dense(10));
    assertThat(ok.outputShape()).containsExactly(10);
    assertThat(ok.countParams()).isEqualTo(7850);
  }
}
