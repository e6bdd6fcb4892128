package dev.backplane.conformance;

import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Loss;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code forward/*} and {@code gradient/*}: every layer, activation and loss in a tiny model of
 * its own. Forward: predict and evaluate outputs and the loss against the reference. Gradient: the
 * update of one SGD step with learning rate 1 against central finite differences of the evaluated
 * loss.
 */
final class OpChecks {
  private static final int[] IN = {4};

  private OpChecks() {}

  /** A layer, activation or loss with the probes that exercise it. */
  record Op(String name, String what, List<OpProbe> forward, List<OpProbe> gradient) {}

  static List<Op> ops() {
    List<Op> ops = new ArrayList<>();
    OpProbe dense = OpProbe.mse(IN, new Dense(3));
    ops.add(new Op("dense", "Dense with bias", List.of(dense), List.of(dense)));
    OpProbe noBias = OpProbe.mse(IN, new Dense(3).withoutBias());
    ops.add(new Op("dense_no_bias", "Dense without bias", List.of(noBias), List.of(noBias)));
    OpProbe flatten = OpProbe.mse(new int[] {2, 3}, new Flatten(), new Dense(3));
    ops.add(new Op("flatten", "Flatten (2, 3) before Dense", List.of(flatten), List.of(flatten)));
    ops.add(new Op("dropout", "Dropout(0.5) in inference; Dropout(0.0) in training",
        List.of(OpProbe.mse(IN, new Dense(3), new Dropout(0.5))),
        List.of(OpProbe.mse(IN, new Dense(3), new Dropout(0.0)))));
    for (Activation a : Activation.values()) {
      boolean kinked = a == Activation.RELU || a == Activation.LEAKY_RELU || a == Activation.ELU;
      OpProbe.Kink kink = kinked ? OpProbe.Kink.AT_ZERO : OpProbe.Kink.NONE;
      List<OpProbe> probes = List.of(
          OpProbe.mse(IN, new Dense(4), new ActivationLayer(a)).withKink(kink),
          OpProbe.mse(IN, new Dense(3, a)).withKink(kink));
      ops.add(new Op(a.kerasName(), "activation " + a.kerasName()
          + " as an Activation layer and inside Dense", probes, probes));
    }
    for (LossProbe lp : LossProbe.values()) {
      List<OpProbe> probes = List.of(lp.probe());
      ops.add(new Op(lp.id(), "loss " + lp.loss, probes, probes));
    }
    spatialAndNormalizationLayers(ops);
    return ops;
  }

  /**
   * Layers checked forward only: BatchNormalization trains on batch statistics but predicts and
   * evaluates with moving ones, so finite differences of the (inference) loss do not measure
   * its training gradient; the convnet_batchnorm model case checks its training end to end.
   */
  static List<Op> forwardOnly() {
    List<Op> ops = new ArrayList<>();
    layer(ops, "batch_normalization", "BatchNormalization between two Dense layers", IN,
        new Dense(4), new dev.backplane.model.BatchNormalization(), new Dense(2));
    return ops;
  }

  private static void layer(List<Op> ops, String id, String what, int[] in,
      dev.backplane.model.Layer... layers) {
    List<OpProbe> probes = List.of(OpProbe.mse(in, layers));
    ops.add(new Op(id, what, probes, probes));
  }

  /** The convolution, pooling, normalization and shape layers, each before a small Dense. */
  private static void spatialAndNormalizationLayers(List<Op> ops) {
    int[] img = {5, 5, 2};
    layer(ops, "conv1d", "Conv1D(3, 3, causal, dilation 2)", new int[] {7, 2},
        new dev.backplane.model.Conv1D(3, 3).withPadding("causal").withDilationRate(2),
        new Flatten(), new Dense(2));
    layer(ops, "conv2d", "Conv2D(3, 3, same, strides 2)", img,
        new dev.backplane.model.Conv2D(3, 3).withPadding("same").withStrides(2), new Flatten(),
        new Dense(2));
    layer(ops, "conv2d_grouped", "Conv2D(4, 2, dilation 2, groups 2)", img,
        new dev.backplane.model.Conv2D(4, 2).withDilationRate(2).withGroups(2), new Flatten(),
        new Dense(2));
    layer(ops, "depthwise_conv2d", "DepthwiseConv2D(3, depth multiplier 2)", img,
        new dev.backplane.model.DepthwiseConv2D(3, 2, Activation.LINEAR), new Flatten(),
        new Dense(2));
    layer(ops, "separable_conv2d", "SeparableConv2D(3, 2)", img,
        new dev.backplane.model.SeparableConv2D(3, 2), new Flatten(), new Dense(2));
    layer(ops, "conv2d_transpose", "Conv2DTranspose(2, 3)", new int[] {3, 3, 2},
        new dev.backplane.model.Conv2DTranspose(2, 3), new Flatten(), new Dense(2));
    layer(ops, "max_pooling2d", "MaxPooling2D(2)", new int[] {4, 4, 2},
        new dev.backplane.model.MaxPooling2D(2), new Flatten(), new Dense(2));
    layer(ops, "average_pooling2d", "AveragePooling2D(2, strides 1, same)", new int[] {3, 3, 2},
        new dev.backplane.model.AveragePooling2D(2, 1, "same"), new Flatten(), new Dense(2));
    layer(ops, "global_pooling", "GlobalAveragePooling2D after Conv2D(3, 2)", img,
        new dev.backplane.model.Conv2D(3, 2), new dev.backplane.model.GlobalAveragePooling2D(),
        new Dense(2));
    layer(ops, "layer_normalization", "LayerNormalization between two Dense layers", IN,
        new Dense(4), new dev.backplane.model.LayerNormalization(), new Dense(2));
    layer(ops, "shape_layers", "Reshape, Permute, ZeroPadding2D, Cropping2D, UpSampling2D",
        new int[] {6}, dev.backplane.model.Reshape.of(2, 3, 1),
        dev.backplane.model.Permute.of(2, 1, 3), new dev.backplane.model.ZeroPadding2D(1),
        new dev.backplane.model.Cropping2D(1, 0), new dev.backplane.model.UpSampling2D(2, 1),
        new Flatten(), new Dense(2));
    layer(ops, "prelu", "Dense(4) then PReLU", IN, new Dense(4), new dev.backplane.model.PReLU(),
        new Dense(2));
  }

  /** The losses, each after the output layer it belongs behind. */
  private enum LossProbe {
    BCE(Loss.BINARY_CROSSENTROPY, Activation.SIGMOID, OpProbe.Labels.BINARY),
    BCE_LOGITS(Loss.BINARY_CROSSENTROPY.withFromLogits(), Activation.LINEAR,
        OpProbe.Labels.BINARY),
    CCE(Loss.CATEGORICAL_CROSSENTROPY, Activation.SOFTMAX, OpProbe.Labels.ONE_HOT),
    CCE_LOGITS(Loss.CATEGORICAL_CROSSENTROPY.withFromLogits(), Activation.LINEAR,
        OpProbe.Labels.ONE_HOT),
    SCCE(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Activation.SOFTMAX, OpProbe.Labels.SPARSE),
    SCCE_LOGITS(Loss.SPARSE_CATEGORICAL_CROSSENTROPY.withFromLogits(), Activation.LINEAR,
        OpProbe.Labels.SPARSE),
    MSE(Loss.MEAN_SQUARED_ERROR, Activation.LINEAR, OpProbe.Labels.REAL),
    MAE(Loss.MEAN_ABSOLUTE_ERROR, Activation.LINEAR, OpProbe.Labels.REAL);

    final Loss loss;
    final Activation output;
    final OpProbe.Labels labels;

    LossProbe(Loss loss, Activation output, OpProbe.Labels labels) {
      this.loss = loss;
      this.output = output;
      this.labels = labels;
    }

    String id() {
      return loss.kerasName() + (loss.fromLogits() ? "_from_logits" : "");
    }

    OpProbe probe() {
      OpProbe.Kink kink = loss.type() == Loss.Type.MEAN_ABSOLUTE_ERROR ? OpProbe.Kink.AT_LABEL
          : OpProbe.Kink.NONE;
      return new OpProbe(IN, Data.named(new Dense(3, output)), loss, labels, kink);
    }
  }

  /** Forward outputs (predict, evaluate) and the loss against the reference. */
  static Measurement forward(Session s, List<OpProbe> probes) {
    Measurement worst = Measurement.of(0, "");
    for (OpProbe p : probes) {
      OpProbe.Batch b = p.batch();
      ModelSpec spec = p.spec(b.params());
      int size = b.x().rows() * spec.outputSize();
      try (Executable tested = s.compile(spec); Executable ref = s.compileReference(spec)) {
        float[] pt = new float[size];
        float[] pr = new float[size];
        tested.predict(b.x(), pt);
        ref.predict(b.x(), pr);
        worst = worst.max(Measurement.of(Deviation.relative(pt, pr), "predict of "
            + describe(p)));
        float[] et = new float[size];
        float[] er = new float[size];
        double lt = tested.evaluateStep(b.x(), b.y(), et);
        double lr = ref.evaluateStep(b.x(), b.y(), er);
        worst = worst.max(Measurement.of(Deviation.relative(et, er), "evaluate outputs of "
            + describe(p)));
        worst = worst.max(Measurement.of(Deviation.scalar(lt, lr), "loss of " + describe(p)
            + ": " + lt + " vs reference " + lr));
      }
    }
    return worst;
  }

  /** Train-step gradients against central finite differences. */
  static Measurement gradient(Session s, List<OpProbe> probes) {
    Measurement worst = Measurement.of(0, "");
    for (OpProbe p : probes) {
      worst = worst.max(gradient(s, p));
    }
    return worst;
  }

  private static Measurement gradient(Session s, OpProbe p) {
    OpProbe.Batch b = p.batch();
    ModelSpec spec = p.spec(b.params());
    int n = b.x().rows();
    float[] out = new float[n * spec.outputSize()];
    ModelState before = spec.initialState();
    try (Executable exe = s.compile(spec)) {
      exe.trainStep(b.x(), b.y(), out);
      ModelState after = exe.snapshot();
      if (after.iterations() != 1) {
        throw new CheckFailed("After one train step the state counts " + after.iterations()
            + " iterations, expected 1");
      }
      List<Double> analytic = new ArrayList<>();
      List<Double> numeric = new ArrayList<>();
      for (int a = 0; a < before.parameters().size(); a++) {
        float[] w0 = before.parameters().get(a).values();
        float[] w1 = after.parameter(before.parameters().get(a).name()).values();
        for (int i = 0; i < w0.length; i++) {
          analytic.add((double) w0[i] - w1[i]);
          float plus = (float) (w0[i] + Tolerances.FD_STEP);
          float minus = (float) (w0[i] - Tolerances.FD_STEP);
          double lp = lossAt(exe, before, a, i, plus, b, out) / n;
          double lm = lossAt(exe, before, a, i, minus, b, out) / n;
          numeric.add((lp - lm) / ((double) plus - minus));
        }
      }
      double dev = Deviation.relative(toArray(analytic), toArray(numeric));
      return Measurement.of(dev, "gradient of " + describe(p) + " (" + analytic.size()
          + " weights)");
    }
  }

  private static double lossAt(Executable exe, ModelState base, int array, int index,
      float value, OpProbe.Batch b, float[] out) {
    ModelState st = base.copy();
    NamedArray target = st.parameters().get(array);
    target.values()[index] = value;
    exe.restore(st);
    return exe.evaluateStep(b.x(), b.y(), out);
  }

  private static double[] toArray(List<Double> v) {
    double[] a = new double[v.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = v.get(i);
    }
    return a;
  }

  private static String describe(OpProbe p) {
    StringBuilder b = new StringBuilder();
    for (var l : p.layers()) {
      if (b.length() > 0) {
        b.append(" -> ");
      }
      b.append(l.kerasClass());
      if (l instanceof Dense d) {
        b.append('(').append(d.units()).append(", ").append(d.activation().kerasName())
            .append(d.useBias() ? "" : ", no bias").append(')');
      } else if (l instanceof ActivationLayer a) {
        b.append('(').append(a.activation().kerasName()).append(')');
      } else if (l instanceof Dropout d) {
        b.append('(').append(d.rate()).append(')');
      }
    }
    return b.append(" + ").append(p.loss()).toString();
  }
}
