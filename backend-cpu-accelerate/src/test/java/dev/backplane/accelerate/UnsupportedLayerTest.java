package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import dev.backplane.testing.Conv2D;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A layer the backend cannot run is refused at compile time, by name, and leaks nothing. */
class UnsupportedLayerTest {
  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void compileNamesTheLayerItsClassAndTheBackend(String mode) {
    ModelSpec spec = ModelSpec.create("convnet", new int[] {8},
        List.of(new Dense(8).withName("dense"), new Conv2D("conv_1"),
            new Dense(2).withName("dense_1")), Loss.MEAN_SQUARED_ERROR, new SGD(), 1);
    long memory = NativeMemory.liveBytes();
    try (AccelerateBackend backend = Fixtures.backend(mode, 1)) {
      assertThatThrownBy(() -> backend.compile(spec, AccelerateBackend.DEVICE))
          .isInstanceOf(UnsupportedFeatureException.class)
          .hasMessageStartingWith("Backend 'accelerate' cannot run op 'conv2d_standin'")
          .hasMessageContaining("(in layer 'conv_1')");
      assertThat(backend.openExecutables()).isZero();
    }
    assertThat(NativeMemory.liveBytes()).isEqualTo(memory);
  }
}
