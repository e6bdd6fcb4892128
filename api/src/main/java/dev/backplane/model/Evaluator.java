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
    MetricAccumulator acc = new MetricAccumulator(model.resolvedMetrics(), model.metricKeys(),
        outputs);
    float[] out = new float[Math.min(batchSize, x.rows()) * outputs];
    for (int start = 0; start < x.rows(); start += batchSize) {
      int rows = Math.min(batchSize, x.rows() - start);
      Tensor yb = y.rows(start, start + rows);
      double loss = model.evaluateStep(x.rows(start, start + rows), yb, out);
      acc.add(loss, out, yb.data(), yb.offset(), rows);
    }
    return acc.logs(prefix);
  }
}
