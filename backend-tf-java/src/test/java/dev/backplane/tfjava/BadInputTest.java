package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backplane.BackendException;
import dev.backplane.Device;
import dev.backplane.DeviceType;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.Conv2D;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/** Bad models fail at compile time by name; bad batches fail before TensorFlow sees them. */
class BadInputTest {
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(1, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  private static ModelSpec classifier() {
    return ModelSpec.create("classifier", new int[] {4},
        List.of(new Dense(3, Activation.SOFTMAX).withName("dense")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new SGD(), 1);
  }

  private static Executable compile(ModelSpec spec) {
    return CrossBackendComparison.compileOnFirstDevice(tf, spec);
  }

  @Test
  void unsupportedLayerFailsAtCompileNamingLayerAndBackend() {
    ModelSpec spec = ModelSpec.create("conv", new int[] {4},
        List.of(new Conv2D("conv_1"), new Dense(1).withName("dense")), Loss.MEAN_SQUARED_ERROR,
        new SGD(), 1);
    assertThatThrownBy(() -> compile(spec))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("Backend 'tf-java' cannot run op 'conv2d_standin'")
        .hasMessageContaining("(in layer 'conv_1')");
  }

  @Test
  void categoricalLossOverSeveralAxesIsUnsupported() {
    // The api's program builder rejects it for every backend (one loss value per sample), at
    // compile time, before anything reaches TensorFlow.
    ModelSpec spec = ModelSpec.create("grid", new int[] {2, 3},
        List.of(new ActivationLayer(Activation.SIGMOID, "activation")),
        Loss.CATEGORICAL_CROSSENTROPY, new SGD(), 1);
    assertThatThrownBy(() -> compile(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("categorical_crossentropy")
        .hasMessageContaining("one value per sample")
        .hasMessageContaining("(None, 2)");
  }

  @Test
  void wrongInputWidth() {
    try (Executable e = compile(classifier())) {
      assertThatThrownBy(() -> e.trainStep(Tensor.zeros(2, 5), Tensor.ofLabels(new int[] {0, 1}),
          new float[6]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Input of shape [2, 5]")
          .hasMessageContaining("expected (None, 4)");
    }
  }

  @Test
  void labelRowsMustMatchInputs() {
    try (Executable e = compile(classifier())) {
      assertThatThrownBy(() -> e.trainStep(Tensor.zeros(2, 4), Tensor.ofLabels(new int[] {0}),
          new float[6]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Labels of shape [1, 1]")
          .hasMessageContaining("(2, 1) class indices");
    }
  }

  @Test
  void sparseLabelsMustBeClassIndices() {
    try (Executable e = compile(classifier())) {
      assertThatThrownBy(() -> e.trainStep(Tensor.zeros(2, 4), Tensor.ofLabels(new int[] {0, 3}),
          new float[6]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Label 3.0 in row 1 is not a class index in [0, 3)");
      assertThatThrownBy(() -> e.evaluateStep(Tensor.zeros(1, 4),
          Tensor.ofLabels(new float[] {1.5f}), new float[3]))
          .hasMessageContaining("Label 1.5 in row 0");
      assertThat(e.snapshot().iterations()).isZero();
    }
  }

  @Test
  void outputsArrayTooSmallOrBatchEmpty() {
    try (Executable e = compile(classifier())) {
      assertThatThrownBy(() -> e.predict(Tensor.zeros(2, 4), new float[5]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has 5 values but a batch of 2 rows produces 6");
      assertThatThrownBy(() -> e.trainStep(Tensor.zeros(0, 4), Tensor.zeros(0, 1), new float[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty");
    }
  }

  @Test
  void closedExecutableRefusesWorkAndClosesTwiceQuietly() {
    Executable e = compile(classifier());
    e.close();
    e.close();
    assertThatThrownBy(() -> e.predict(Tensor.zeros(1, 4), new float[3]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(e::snapshot).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void unknownDeviceListsTheKnownOnes() {
    assertThatThrownBy(() -> tf.compile(classifier(), Device.cpu("tf-java", 7)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no device tf-java:cpu:7")
        .hasMessageContaining("tf-java:cpu:0");
  }

  @Test
  void tensorFlowErrorBecomesBackendExceptionWithMessageAndDevice() {
    // Placing the graph on a GPU this machine lacks, with soft placement off, makes TensorFlow
    // fail when it first runs the graph (assigning the initial weights).
    assumeTrue(tf.devices().stream().noneMatch(d -> d.device().type().equals(DeviceType.GPU)),
        "This machine has a TensorFlow GPU; the missing-device error cannot be provoked");
    Device gpu = Device.gpu("tf-java", 0);
    assertThatThrownBy(() -> TfJavaExecutable.compile(classifier(),
        new TfDevice(gpu, "/device:GPU:0", 0), new SessionSettings(1, false, false), x -> { }))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("TensorFlow failed in restore of model 'classifier'")
        .hasMessageContaining("Cannot assign a device")
        .hasMessageContaining("GPU:0")
        .hasMessageEndingWith("[device tf-java:gpu:0]")
        .satisfies(t -> assertThat(((BackendException) t).device()).isEqualTo(gpu))
        .hasCauseInstanceOf(TFInvalidArgumentException.class);
  }

  @Test
  void stepErrorsQuoteTensorFlow() {
    BackendException e = TfErrors.step("trainStep", "m", Device.cpu("tf-java", 0),
        new TFInvalidArgumentException("Incompatible shapes: [2,3] vs. [2,4]"));
    assertThat(e).hasMessage("TensorFlow failed in trainStep of model 'm':"
        + " TFInvalidArgumentException: Incompatible shapes: [2,3] vs. [2,4]"
        + " [device tf-java:cpu:0]");
  }

  @Test
  void closingTheBackendClosesItsExecutables() {
    Backend own = new TfJavaProvider().open(CrossBackendComparison.context(1, false));
    Executable e = CrossBackendComparison.compileOnFirstDevice(own, classifier());
    own.close();
    assertThatThrownBy(e::snapshot).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> own.compile(classifier(), Device.cpu("tf-java", 0)))
        .isInstanceOf(IllegalStateException.class);
  }
}
