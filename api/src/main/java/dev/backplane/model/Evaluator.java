package dev.backplane.model;

import dev.backplane.tensor.Tensor;
import java.util.Map;

/** Evaluates a compiled model batch by batch in inference mode (also for validation). */
final class Evaluator {
  private final Sequential model;
  private final int batchSize;
  private final int outputs;

  Evaluator(Sequential model, int batchSize) {
    this.model = model;
    this.batchSize = batchSize;
    this.outputs = Shapes.size(model.outputShape());
  }

  Map<String, Double> evaluate(Tensor x, Tensor y, String prefix) {
    return run(x, y, prefix, null).logs();
  }

  /** The logs and, for a classifier, the confusion matrix. */
  Evaluation evaluateDetailed(Tensor x, Tensor y, String prefix) {
    Loss loss = model.labelLoss();
    boolean classifier = loss.type() == Loss.Type.SPARSE_CATEGORICAL_CROSSENTROPY
        || loss.type() == Loss.Type.CATEGORICAL_CROSSENTROPY
        || loss.type() == Loss.Type.BINARY_CROSSENTROPY && outputs == 1;
    ConfusionMatrix.Counter counter = classifier
        ? new ConfusionMatrix.Counter(outputs == 1 ? 2 : outputs, outputs, loss.sparseLabels())
        : null;
    return run(x, y, prefix, counter);
  }

  private Evaluation run(Tensor x, Tensor y, String prefix, ConfusionMatrix.Counter counter) {
    MetricAccumulator acc = model.newAccumulator();
    int stride = model.labelLoss().labelColumns(outputs);
    float[] out = new float[Math.min(batchSize, x.rows()) * outputs];
    for (int start = 0; start < x.rows(); start += batchSize) {
      int rows = Math.min(batchSize, x.rows() - start);
      Tensor yb = y.rows(start, start + rows);
      double loss = model.evaluateStep(x.rows(start, start + rows), yb, out);
      acc.add(loss, out, yb.data(), yb.offset(), rows);
      if (counter != null) {
        counter.update(out, yb.data(), yb.offset(), stride, rows);
      }
    }
    return new Evaluation(acc.logs(prefix),
        counter == null ? null : new ConfusionMatrix(counter.counts));
  }
}
