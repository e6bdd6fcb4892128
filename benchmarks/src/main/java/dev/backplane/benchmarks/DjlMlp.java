package dev.backplane.benchmarks;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.backplane.cli.bench.MlpRunner;
import dev.backplane.cli.bench.MlpTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Peer (a): the task's model in DJL 0.36 on PyTorch 2.7.1 with DJL's own training API: a
 * {@link SequentialBlock} of {@link Linear} and relu (for mnist-cnn {@link Conv2d}, relu and
 * max-pool blocks in NCHW, a flatten and a {@link Linear}), {@code Optimizer.adam()} (epsilon 1e-7 as
 * in Keras), {@code Loss.sigmoidBinaryCrossEntropyLoss()} or {@code softmaxCrossEntropyLoss()}
 * (both on logits, DJL's default), an {@link ArrayDataset} iterated by the {@link Trainer}, and
 * for inference a {@link Predictor} per calling thread. Starts from the task's initial weights.
 * PyTorch's intra-op threads are set with {@link JniUtils#setNumThreads}.
 */
public final class DjlMlp implements MlpRunner {
  /** The runner's name in tables. */
  public static final String NAME = "djl-pytorch";

  private final MlpTask task;
  private final int threads;
  private final Model model;
  private final ArrayDataset dataset;
  private final List<Predictor<float[], float[]>> predictors = new ArrayList<>();
  private final ThreadLocal<Predictor<float[], float[]>> predictor;
  private Trainer trainer;

  /** Builds the block, dataset and trainer, and sets the task's initial weights. */
  public DjlMlp(MlpTask task, int threads) {
    this.task = task;
    this.threads = threads;
    Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
    SequentialBlock block = new SequentialBlock();
    int[] sizes = task.sizes();
    if (task.convnet()) {
      for (int filters : new int[] {32, 64}) {
        block.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(filters).build());
        block.add(Activation::relu);
        block.add(Pool.maxPool2dBlock(new Shape(2, 2)));
      }
      block.add(Blocks.batchFlattenBlock());
      block.add(Linear.builder().setUnits(task.outputs()).build());
    } else {
      for (int i = 1; i < sizes.length; i++) {
        block.add(Linear.builder().setUnits(sizes[i]).build());
        if (i < sizes.length - 1) {
          block.add(Activation::relu);
        }
      }
    }
    this.model = Model.newInstance(task.name(), "PyTorch");
    model.setBlock(block);
    NDManager m = model.getNDManager();
    // The convnet's samples are 28×28×1: NHWC and NCHW are the same bytes with one channel.
    NDArray x = m.create(task.x().toArray(), inputShape(task.samples()));
    NDArray y = m.create(task.y().toArray(), new Shape(task.samples(), 1));
    this.dataset = new ArrayDataset.Builder().setData(x).optLabels(y)
        .setSampling(task.batchSize(), false).build();
    this.predictor = ThreadLocal.withInitial(this::newPredictor);
    reset();
  }

  private synchronized Predictor<float[], float[]> newPredictor() {
    Predictor<float[], float[]> p = model.newPredictor(new Inference());
    predictors.add(p);
    return p;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public String describe() {
    return "DJL " + Engine.getDjlVersion() + " on " + Engine.getInstance().getEngineName() + " "
        + Engine.getInstance().getVersion() + ", Trainer + ArrayDataset, Predictor per thread;"
        + " torch intra-op threads = " + threads + " (JniUtils.setNumThreads)";
  }

  /** A fresh trainer and Adam (DJL keeps the moments in the optimizer), and the initial weights. */
  @Override
  public void reset() {
    JniUtils.setNumThreads(threads);
    if (trainer != null) {
      trainer.close();
    }
    Loss loss = task.sparse() ? Loss.softmaxCrossEntropyLoss()
        : Loss.sigmoidBinaryCrossEntropyLoss();
    DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
        .optOptimizer(Optimizer.adam().optEpsilon(1e-7f).build());
    trainer = model.newTrainer(config);
    trainer.initialize(inputShape(task.batchSize()));
    setWeights(task.initialWeights());
  }

  /** A batch's input shape: (rows, inputs), or NCHW (rows, 1, 28, 28) for the convnet. */
  private Shape inputShape(long rows) {
    return task.convnet() ? new Shape(rows, 1, 28, 28) : new Shape(rows, task.inputs());
  }

  /**
   * The convnet's weights in DJL's layouts: convolution kernels from Backplane's HWIO to OIHW, and
   * the dense kernel's rows from Backplane's flatten order (h, w, c) to DJL's (c, h, w),
   * transposed to {@code (out, in)}; biases as they are.
   */
  private void setConvnetWeights(List<float[]> weights) {
    int[][] conv = {{1, 32}, {32, 64}};
    int i = 0;
    for (Parameter p : model.getBlock().getParameters().values()) {
      float[] w = weights.get(i);
      if (i == 0 || i == 2) {
        int cin = conv[i / 2][0];
        int cout = conv[i / 2][1];
        float[] t = new float[w.length];
        for (int h = 0; h < 3; h++) {
          for (int q = 0; q < 3; q++) {
            for (int c = 0; c < cin; c++) {
              for (int o = 0; o < cout; o++) {
                t[((o * cin + c) * 3 + h) * 3 + q] = w[((h * 3 + q) * cin + c) * cout + o];
              }
            }
          }
        }
        w = t;
      } else if (i == 4) {
        int classes = task.outputs();
        float[] t = new float[w.length];
        for (int h = 0; h < 5; h++) {
          for (int q = 0; q < 5; q++) {
            for (int c = 0; c < 64; c++) {
              int from = (h * 5 + q) * 64 + c;
              int to = c * 25 + h * 5 + q;
              for (int o = 0; o < classes; o++) {
                t[o * 1600 + to] = w[from * classes + o];
              }
            }
          }
        }
        w = t;
      }
      p.getArray().set(w);
      i++;
    }
  }

  /** Backplane's kernels are {@code (in, out)}; DJL's Linear weights are {@code (out, in)}. */
  private void setWeights(List<float[]> weights) {
    if (task.convnet()) {
      setConvnetWeights(weights);
      return;
    }
    int[] sizes = task.sizes();
    int i = 0;
    for (Parameter p : model.getBlock().getParameters().values()) {
      int layer = i / 2;
      float[] w = weights.get(i);
      if (i % 2 == 0) {
        int in = sizes[layer];
        int out = sizes[layer + 1];
        float[] t = new float[w.length];
        for (int r = 0; r < in; r++) {
          for (int c = 0; c < out; c++) {
            t[c * in + r] = w[r * out + c];
          }
        }
        w = t;
      }
      p.getArray().set(w);
      i++;
    }
  }

  @Override
  public double[] fit(int epochs) {
    double[] losses = new double[epochs];
    try {
      for (int e = 0; e < epochs; e++) {
        double sum = 0;
        for (Batch batch : trainer.iterateDataset(dataset)) {
          try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList predictions = trainer.forward(batch.getData(), batch.getLabels());
            NDArray loss = trainer.getLoss().evaluate(batch.getLabels(), predictions);
            collector.backward(loss);
            sum += loss.getFloat() * batch.getSize();
          }
          trainer.step();
          batch.close();
        }
        losses[e] = sum / task.samples();
      }
    } catch (IOException | TranslateException e) {
      throw new IllegalStateException("DJL could not iterate the dataset", e);
    }
    return losses;
  }

  @Override
  public void predict(float[] x, int rows, float[] out) {
    float[] result;
    try {
      result = predictor.get().predict(rows * task.inputs() == x.length ? x
          : Arrays.copyOf(x, rows * task.inputs()));
    } catch (TranslateException e) {
      throw new IllegalStateException("DJL predict failed", e);
    }
    System.arraycopy(result, 0, out, 0, result.length);
  }

  @Override
  public synchronized void close() {
    predictors.forEach(Predictor::close);
    predictors.clear();
    if (trainer != null) {
      trainer.close();
      trainer = null;
    }
    model.close();
  }

  /** {@code float[]} rows in, probabilities out (sigmoid or softmax on the block's logits). */
  private final class Inference implements Translator<float[], float[]> {
    @Override
    public NDList processInput(TranslatorContext ctx, float[] input) {
      int rows = input.length / task.inputs();
      return new NDList(ctx.getNDManager().create(input, inputShape(rows)));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      NDArray logits = list.singletonOrThrow();
      return (task.sparse() ? logits.softmax(-1) : Activation.sigmoid(logits)).toFloatArray();
    }

    @Override
    public Batchifier getBatchifier() {
      return null;
    }
  }
}
