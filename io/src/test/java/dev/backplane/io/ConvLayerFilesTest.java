package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.Backplane;
import dev.backplane.model.Activation;
import dev.backplane.model.AveragePooling1D;
import dev.backplane.model.AveragePooling2D;
import dev.backplane.model.BatchNormalization;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Conv1D;
import dev.backplane.model.Conv2D;
import dev.backplane.model.Conv2DTranspose;
import dev.backplane.model.Conv3D;
import dev.backplane.model.Cropping1D;
import dev.backplane.model.Cropping2D;
import dev.backplane.model.DataFormat;
import dev.backplane.model.Dense;
import dev.backplane.model.DepthwiseConv2D;
import dev.backplane.model.ELU;
import dev.backplane.model.Embedding;
import dev.backplane.model.FitOptions;
import dev.backplane.model.Flatten;
import dev.backplane.model.GlobalAveragePooling1D;
import dev.backplane.model.GlobalAveragePooling2D;
import dev.backplane.model.GlobalMaxPooling1D;
import dev.backplane.model.GlobalMaxPooling2D;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.LayerNormalization;
import dev.backplane.model.Layers;
import dev.backplane.model.LeakyReLU;
import dev.backplane.model.Loss;
import dev.backplane.model.MaxPooling1D;
import dev.backplane.model.MaxPooling2D;
import dev.backplane.model.Metric;
import dev.backplane.model.PReLU;
import dev.backplane.model.Padding;
import dev.backplane.model.Permute;
import dev.backplane.model.ReLU;
import dev.backplane.model.RepeatVector;
import dev.backplane.model.Reshape;
import dev.backplane.model.SeparableConv2D;
import dev.backplane.model.Sequential;
import dev.backplane.model.Softmax;
import dev.backplane.model.ThresholdedReLU;
import dev.backplane.model.UpSampling1D;
import dev.backplane.model.UpSampling2D;
import dev.backplane.model.ZeroPadding1D;
import dev.backplane.model.ZeroPadding2D;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every conv, pooling, normalization, reshaping, embedding and activation layer, frozen layers,
 * and the newer activations, losses, metrics and initializers in Backplane's model files; a
 * BatchNormalization model resumes {@code fit} exactly after loading, on the float64 interpreter.
 */
class ConvLayerFilesTest {
  @TempDir Path dir;

  private final Backplane backplane = TestBackplanes.of(TestBackplanes.config(),
      new ReferenceFakeProvider());

  @AfterEach
  void close() {
    backplane.close();
  }

  static List<Layer> everyLayer() {
    return List.of(
        new Conv1D(3, new int[] {2}, new int[] {1}, Padding.CAUSAL, DataFormat.CHANNELS_LAST,
            new int[] {2}, 1, Activation.SELU, true, Initializer.HE_NORMAL,
            Initializer.RANDOM_NORMAL, "c1"),
        new Conv2D(4, new int[] {3, 2}, new int[] {2, 1}, Padding.SAME,
            DataFormat.CHANNELS_FIRST, new int[] {1, 1}, 2, Activation.MISH, false,
            Initializer.ORTHOGONAL, Initializer.ZEROS, "c2"),
        new Conv3D(2, new int[] {1, 2, 3}, new int[] {1, 1, 1}, Padding.VALID,
            DataFormat.CHANNELS_LAST, new int[] {1, 2, 1}, 1, Activation.HARD_SWISH, true,
            Initializer.LECUN_NORMAL, Initializer.TRUNCATED_NORMAL, "c3"),
        new DepthwiseConv2D(new int[] {3, 3}, new int[] {1, 2}, Padding.SAME, 2,
            DataFormat.CHANNELS_LAST, new int[] {1, 1}, Activation.RELU6, true,
            Initializer.GLOROT_NORMAL, Initializer.ZEROS, "dw"),
        new SeparableConv2D(5, new int[] {2, 2}, new int[] {1, 1}, Padding.VALID,
            DataFormat.CHANNELS_LAST, new int[] {1, 1}, 3, Activation.SOFTPLUS, false,
            Initializer.GLOROT_UNIFORM, Initializer.HE_UNIFORM, Initializer.ONES, "sep"),
        new Conv2DTranspose(3, new int[] {3, 3}, new int[] {2, 2}, Padding.SAME,
            DataFormat.CHANNELS_LAST, new int[] {1, 1}, Activation.SOFTSIGN, true,
            Initializer.RANDOM_UNIFORM, Initializer.ZEROS, "tr"),
        new MaxPooling1D(new int[] {3}, new int[] {1}, Padding.SAME, DataFormat.CHANNELS_LAST,
            "mp1"),
        new MaxPooling2D(new int[] {2, 3}, new int[] {2, 3}, Padding.VALID,
            DataFormat.CHANNELS_FIRST, "mp2"),
        new AveragePooling1D(new int[] {2}, new int[] {2}, Padding.VALID,
            DataFormat.CHANNELS_LAST, "ap1"),
        new AveragePooling2D(new int[] {2, 2}, new int[] {1, 1}, Padding.SAME,
            DataFormat.CHANNELS_LAST, "ap2"),
        new GlobalAveragePooling1D(DataFormat.CHANNELS_LAST, true, "gap1"),
        new GlobalAveragePooling2D(DataFormat.CHANNELS_FIRST, false, "gap2"),
        new GlobalMaxPooling1D(DataFormat.CHANNELS_LAST, false, "gmp1"),
        new GlobalMaxPooling2D(DataFormat.CHANNELS_LAST, true, "gmp2"),
        new BatchNormalization(1, 0.9, 1e-5, false, true, Initializer.ZEROS, Initializer.ONES,
            "bn"),
        new LayerNormalization(new int[] {-2, -1}, 1e-6, true, false, "ln"),
        new Reshape(new int[] {-1, 3}, "reshape"),
        new Permute(new int[] {2, 1}, "permute"),
        new ZeroPadding1D(new int[] {1, 2}, "zp1"),
        new ZeroPadding2D(new int[] {1, 0, 2, 3}, DataFormat.CHANNELS_LAST, "zp2"),
        new Cropping1D(new int[] {0, 1}, "cr1"),
        new Cropping2D(new int[] {1, 1, 0, 2}, DataFormat.CHANNELS_FIRST, "cr2"),
        new UpSampling1D(3, "up1"),
        new UpSampling2D(new int[] {2, 1}, DataFormat.CHANNELS_LAST, "up2"),
        new RepeatVector(4, "rep"),
        new Embedding(10, 3, Initializer.RANDOM_UNIFORM, false, "emb"),
        new ReLU(6.0, 0.1, 0.5, "relu"),
        new ReLU(null, 0, 0, "relu_plain"),
        new LeakyReLU(0.3, "leaky"),
        new ELU(0.5, "elu"),
        new PReLU(Initializer.ZEROS, new int[] {1, 2}, "prelu"),
        new ThresholdedReLU(0.7, "thr"),
        new Softmax(1, "softmax"),
        Layers.frozen(new Dense(3, Activation.SWISH, true, Initializer.HE_NORMAL,
            Initializer.ZEROS, "frozen_dense")),
        Layers.frozen(new BatchNormalization().withName("frozen_bn")),
        new Dense(2, Activation.LOG_SOFTMAX, true, Initializer.GLOROT_NORMAL, Initializer.ZEROS,
            "dense"));
  }

  @Test
  void everyLayerRoundTripsWithKerasFieldNames() {
    for (Layer layer : everyLayer()) {
      ObjectNode node = LayerCodec.encode(layer);
      Layer back = LayerCodec.decode(JsonFields.of(Path.of("m"), "layer", node));
      assertThat(back.getClass()).as(layer.name()).isEqualTo(layer.getClass());
      assertThat(back.name()).isEqualTo(layer.name());
      assertThat(LayerCodec.encode(back)).as(layer.name()).isEqualTo(node);
      assertThat(node.get("class_name").asText()).isEqualTo(layer.kerasClass());
    }
    assertThat(SafeJson.write(LayerCodec.encode(everyLayer().get(0)))).contains(
        "\"kernel_size\":[2]", "\"padding\":\"causal\"", "\"dilation_rate\":[2]",
        "\"activation\":\"selu\"", "\"kernel_initializer\":\"he_normal\"");
    assertThat(SafeJson.write(LayerCodec.encode(everyLayer().get(19))))
        .contains("\"padding\":[[1,0],[2,3]]");
    ObjectNode frozen = LayerCodec.encode(everyLayer().get(33));
    assertThat(frozen.get("config").get("trainable").asBoolean(true)).isFalse();
    Layer f = LayerCodec.decode(JsonFields.of(Path.of("m"), "layer", frozen));
    assertThat(Layers.trainable(f)).isFalse();
    assertThat(Layers.unwrap(f)).isEqualTo(Layers.unwrap(everyLayer().get(33)));
  }

  @Test
  void unknownAndBadFieldsAreNamed() {
    ObjectNode node = LayerCodec.encode(everyLayer().get(1));
    ((ObjectNode) node.get("config")).put("output_padding", 1);
    assertThatThrownBy(() -> LayerCodec.decode(JsonFields.of(Path.of("m"), "layer 1", node)))
        .isInstanceOf(ModelFileException.class)
        .hasMessageContaining("layer 'c2' (Conv2D): unknown field 'output_padding'");
    ObjectNode bad = LayerCodec.encode(everyLayer().get(1));
    ((ObjectNode) bad.get("config")).put("padding", "causal");
    assertThatThrownBy(() -> LayerCodec.decode(JsonFields.of(Path.of("m"), "layer 1", bad)))
        .isInstanceOf(ModelFileException.class)
        .hasMessageContaining("layer 'c2' (Conv2D)").hasMessageContaining("causal");
  }

  static Tensor data(int seed, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextDouble(-1, 2);
    }
    return Tensor.wrap(v, shape);
  }

  private static FitOptions quiet() {
    return FitOptions.builder().verbose(dev.backplane.model.Verbosity.SILENT).shuffle(false)
        .epochs(2).batchSize(4).output(new java.io.PrintStream(
            new java.io.ByteArrayOutputStream())).build();
  }

  private static Sequential convNet() {
    return new Sequential("bn_net", new int[] {6, 6, 2},
        new Conv2D(3, 3, Activation.LINEAR).withPadding("same").withName("conv"),
        new BatchNormalization().withName("bn"), new ReLU().withName("relu"),
        new DepthwiseConv2D(2).withName("dw"), new MaxPooling2D(new int[] {2, 2}, null,
            Padding.VALID, DataFormat.CHANNELS_LAST, "pool"),
        new Flatten("flat"), new Dense(2, "softmax").withName("out"));
  }

  @Test
  void batchNormModelResumesFitExactlyWithItsMovingStatistics() {
    Path file = dir.resolve("bn.safetensors");
    Tensor x = data(1, 8, 6, 6, 2);
    Tensor y = data(2, 8, 2);
    try (Sequential m = convNet()) {
      m.compile(CompileOptions.builder().optimizer(new Adam(0.01))
          .loss(Loss.of("kl_divergence")).metrics(Metric.TOP_K_CATEGORICAL_ACCURACY)
          .backplane(backplane).seed(3).build());
      m.fit(x, y, quiet());
      NamedArray mean = m.getState().variable("bn/moving_mean");
      assertThat(mean.values()).isNotEqualTo(new float[3]);
      ModelFiles.save(m, file);
      SavedModel saved = ModelFiles.read(file);
      assertThat(saved.variables()).extracting(NamedArray::name)
          .containsExactly("bn/moving_mean", "bn/moving_variance");
      assertThat(saved.training().get().loss().kerasName()).isEqualTo("kl_divergence");
      assertThat(saved.training().get().metrics())
          .containsExactly(Metric.TOP_K_CATEGORICAL_ACCURACY);
      try (Sequential loaded = ModelFiles.load(file, backplane)) {
        assertSame(loaded.getState(), m.getState());
        assertThat(loaded.predict(x).data()).containsExactly(m.predict(x).data());
        m.fit(x, y, quiet());
        loaded.fit(x, y, quiet());
        assertSame(loaded.getState(), m.getState());
        assertThat(loaded.getState().variable("bn/moving_variance").values())
            .isNotEqualTo(mean.values());
      }
    }
  }

  @Test
  void newLossesMetricsAndFrozenLayersSurviveAFile() {
    for (String loss : List.of("categorical_hinge", "hinge", "huber", "log_cosh", "poisson",
        "cosine_similarity")) {
      Path file = dir.resolve(loss + ".safetensors");
      try (Sequential m = new Sequential("m", new int[] {4},
          Layers.frozen(new Dense(3, "tanh").withName("frozen")),
          new Dense(2, "sigmoid").withName("out"))) {
        m.compile(CompileOptions.builder().optimizer(new Adam(0.01)).loss(Loss.of(loss))
            .metrics(Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY.kerasName().equals(loss)
                ? new Metric[0] : new Metric[] {Metric.MAE})
            .backplane(backplane).seed(1).build());
        Tensor x = data(3, 6, 4);
        m.fit(x, data(4, 6, 2), quiet());
        ModelFiles.save(m, file);
        SavedModel saved = ModelFiles.read(file);
        assertThat(saved.training().get().loss().kerasName()).isEqualTo(loss);
        assertThat(saved.variables()).extracting(NamedArray::name)
            .containsExactly("frozen/kernel", "frozen/bias");
        try (Sequential loaded = ModelFiles.load(file, backplane)) {
          assertThat(Layers.trainable(loaded.layers().get(0))).isFalse();
          assertSame(loaded.getState(), m.getState());
          assertThat(loaded.predict(x).data()).containsExactly(m.predict(x).data());
        }
      }
    }
  }

  static void assertSame(ModelState a, ModelState b) {
    assertThat(a.parameters()).isEqualTo(b.parameters());
    assertThat(a.variables()).isEqualTo(b.variables());
    assertThat(a.slots()).isEqualTo(b.slots());
    assertThat(a.iterations()).isEqualTo(b.iterations());
  }
}
