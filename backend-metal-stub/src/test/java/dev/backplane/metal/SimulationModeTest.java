package dev.backplane.metal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.config.ConfigException;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SimulationModeTest {
  @ParameterizedTest
  @ValueSource(strings = {"ok", "crash", "crash-after:5", "crash-probe", "hang", "hang-after:3",
      "hang-probe", "halt-probe", "nan-after:0", "nan-after:5", "drift:0.05", "slow:250",
      "crash-inference", "hang-inference"})
  void everyModeReadsBackAsWritten(String text) {
    assertThat(SimulationMode.parse(text)).hasToString(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nan", "nan-after:", "nan-after:-1", "drift:2", "drift:0", "ok:1",
      "crash-probe:2", "slow:fast", "explode", "hang-inference:1"})
  void anInvalidModeIsAConfigErrorListingTheValidOnes(String text) {
    assertThatThrownBy(() -> TestBackplanes.of(
        TestBackplanes.config("backplane.metal.simulate", text), new MetalProvider(),
        new ReferenceFakeProvider()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid backplane.metal.simulate configuration (from program):"
            + " expected a simulation mode. Expected ok | crash | crash-after:N | crash-probe"
            + " | hang | hang-after:N | hang-probe | halt-probe | nan-after:N"
            + " | drift:E (0 < E < 1) | slow:MS | crash-inference | hang-inference. Received:"
            + " backplane.metal.simulate=" + text);
  }
}
