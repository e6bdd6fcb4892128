package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceTest {
  @Test
  void parsesAndPrintsFullNames() {
    Device d = Device.parse("tf-java:gpu:1");
    assertThat(d.backend()).isEqualTo("tf-java");
    assertThat(d.type()).isEqualTo(DeviceType.GPU);
    assertThat(d.index()).isEqualTo(1);
    assertThat(d.toString()).isEqualTo("tf-java:gpu:1");
    assertThat(d).isEqualTo(Device.gpu("tf-java", 1)).hasSameHashCodeAs(Device.gpu("tf-java", 1));
    assertThat(Device.parse("accelerate:cpu:0")).isNotEqualTo(Device.parse("accelerate:cpu:1"));
  }

  @Test
  void customTypesAreOpen() {
    Device d = Device.parse("vendor:npu:2");
    assertThat(d.type().name()).isEqualTo("npu");
    assertThat(DeviceType.of("CPU")).isSameAs(DeviceType.CPU);
  }

  @Test
  void malformedNamesSayTheExpectedForm() {
    assertThatThrownBy(() -> Device.parse("gpu0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gpu0'").hasMessageContaining("backend:type:index");
    assertThatThrownBy(() -> Device.parse("metal:gpu:x"))
        .hasMessageContaining("index 'x' is not a number");
    assertThatThrownBy(() -> Device.parse("Metal:gpu:0"))
        .hasMessageContaining("Invalid backend id 'Metal'");
    assertThatThrownBy(() -> Device.of("metal", DeviceType.GPU, -1))
        .hasMessageContaining("index -1");
  }
}
