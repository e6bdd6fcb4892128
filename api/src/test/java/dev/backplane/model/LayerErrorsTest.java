package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bad configurations and inputs give messages naming the layer, the argument and the shapes. */
class LayerErrorsTest {
  @Test
  void aKernelLargerThanTheInputUnderValid() {
    assertThatThrownBy(() -> new Sequential(new int[] {3, 3, 1}, new Conv2D(4, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Layer 'conv2d' (Conv2D) kernel_size (5, 5) is larger than the input's"
            + " spatial shape (3, 3) under padding='valid'; input shape (None, 3, 3, 1). Use"
            + " padding='same' or a smaller kernel_size");
    assertThatThrownBy(() -> new Sequential(new int[] {4, 4, 1},
        new Conv2D(4, 3).withDilationRate(2)))
        .hasMessageContaining("kernel_size (3, 3) with dilation_rate (2, 2) (span (5, 5)) is"
            + " larger than the input's spatial shape (4, 4)");
    assertThatThrownBy(() -> new Sequential(new int[] {3, 3, 2}, new MaxPooling2D(4)))
        .hasMessageContaining("Layer 'maxpooling2d' (MaxPooling2D) pool_size (4, 4) is larger"
            + " than the input's spatial shape (3, 3)");
  }

  @Test
  void nonPositiveStridesAndDilations() {
    assertThatThrownBy(() -> new Conv2D(4, 3).withStrides(0))
        .hasMessage("Conv2D strides must be positive integers, got (0, 0)");
    assertThatThrownBy(() -> new Conv1D(4, 3).withDilationRate(-1))
        .hasMessage("Conv1D dilation_rate must be positive integers, got (-1,)");
    assertThatThrownBy(() -> new Conv2D(4, 3).withStrides(1, 2, 3))
        .hasMessage("Conv2D strides needs 2 value(s), got [1, 2, 3]");
    assertThatThrownBy(() -> new Conv2D(0, 3))
        .hasMessage("Conv2D filters must be at least 1, got 0");
    assertThatThrownBy(() -> new Conv2D(4, 3).withPadding("causal"))
        .hasMessageContaining("Conv2D does not support padding='causal'");
    assertThatThrownBy(() -> new Conv2D(4, 3).withPadding("full"))
        .hasMessage("Unknown padding 'full'. Expected one of valid, same, causal");
  }

  @Test
  void wrongInputRankAndChannels() {
    assertThatThrownBy(() -> new Sequential(new int[] {10}, new Conv2D(4, 3)))
        .hasMessage("Layer 'conv2d' (Conv2D) expects input of rank 4 (batch, height, width,"
            + " channels) but got shape (None, 10)");
    assertThatThrownBy(() -> new Sequential(new int[] {8, 8}, new MaxPooling2D()))
        .hasMessageContaining("(MaxPooling2D) expects input of rank 4");
    assertThatThrownBy(() -> new Sequential(new int[] {6, 6, 3}, new Conv2D(4, 3).withGroups(2)))
        .hasMessage("Layer 'conv2d' (Conv2D) has groups=2 but its input has 3 channels, not a"
            + " multiple of groups; input shape (None, 6, 6, 3)");
    assertThatThrownBy(() -> new Sequential(new int[] {4}, new RepeatVector(2),
        new RepeatVector(2))).hasMessageContaining("(RepeatVector) expects input of rank 2");
    assertThatThrownBy(() -> new Sequential(new int[] {4}, new BatchNormalization(2, 0.9, 1e-3)))
        .hasMessageContaining("Layer 'batchnormalization' (BatchNormalization) axis 2 is out of"
            + " range for input shape (None, 4)");
    assertThatThrownBy(() -> new Sequential(new int[] {2, 6}, Reshape.of(5, -1)))
        .hasMessage("Layer 'reshape' (Reshape) cannot reshape input (None, 2, 6) (12 values per"
            + " sample) to target_shape (5, -1)");
    assertThatThrownBy(() -> new Sequential(new int[] {3, 2}, new Cropping1D(2, 1)))
        .hasMessageContaining("cropping (2, 1) removes every step of input shape (None, 3, 2)");
  }

  @Test
  void unsupportedOptions() {
    assertThatThrownBy(() -> new Embedding(10, 4, Initializer.RANDOM_UNIFORM, true, null))
        .hasMessageStartingWith("Embedding mask_zero=True is not supported");
    assertThatThrownBy(() -> Permute.of(1, 3))
        .hasMessageContaining("must be a permutation of 1..2");
    assertThatThrownBy(() -> new MaxPooling1D(new int[] {2}, null, Padding.CAUSAL,
        DataFormat.CHANNELS_LAST, null)).hasMessageContaining("padding must be valid or same");
  }
}
