package dev.backplane.spark;

import dev.backplane.model.ProgramBuilder;
import dev.backplane.model.Sequential;
import dev.backplane.ops.Node;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One barrier task's part of steps {@code [from, to)} of an epoch: a replica built by the
 * factory and restored from the driver's checkpoint; per step, the gradients of its shard, the
 * allreduce ({@link RingAllreduce}), and the update every replica applies alike. Its input partition holds its shards of
 * the whole epoch keyed by epoch position, sorted.
 */
final class BarrierStage extends AbstractFunction1<Iterator<Tuple2<Integer, Example>>,
    Iterator<TaskResult>> implements Serializable {
  private static final long serialVersionUID = 1L;
  private final ModelFactory factory;
  private final Broadcast<StateBlob> state;
  private final ShardPlan plan;
  private final int epoch;
  private final int from;
  private final int to;
  private final int attemptBase;
  private final StepHook hook;

  BarrierStage(ModelFactory factory, Broadcast<StateBlob> state, ShardPlan plan, int epoch,
      int from, int to, int attemptBase, StepHook hook) {
    this.factory = factory;
    this.state = state;
    this.plan = plan;
    this.epoch = epoch;
    this.from = from;
    this.to = to;
    this.attemptBase = attemptBase;
    this.hook = hook;
  }

  @Override
  public Iterator<TaskResult> apply(Iterator<Tuple2<Integer, Example>> rows) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int task = ctx.partitionId();
    int attempt = attemptBase + ctx.stageAttemptNumber();
    java.util.Iterator<Tuple2<Integer, Example>> it = CollectionConverters.asJava(rows);
    try (Sequential model = factory.create();
        RingAllreduce ring = new RingAllreduce(task, plan.tasks, ctx::isInterrupted)) {
      // the one allGather of the stage: every task's ring address
      String executor = ctx.getTaskInfos()[task].address();
      int colon = executor.lastIndexOf(':');
      String host = colon < 0 ? executor : executor.substring(0, colon);
      ring.connect(ctx.allGather(host + ":" + ring.port()));
      model.setState(state.value().toState());
      int[] inputShape = model.inputShape();
      int features = size(inputShape);
      List<float[]> grads = new ArrayList<>();
      for (Node g : ProgramBuilder.build(model.spec(), Program.Kind.GRADIENTS).updates()
          .values()) {
        grads.add(new float[size(g.shape())]);
      }
      float[][] mine = grads.toArray(new float[0][]);
      float[][] sums = new float[mine.length][];
      int total = 0;
      for (int k = 0; k < mine.length; k++) {
        sums[k] = new float[mine[k].length];
        total += mine[k].length;
      }
      float[] flat = new float[total];
      int outputs = model.outputShape()[model.outputShape().length - 1];
      double[] losses = new double[to - from];
      // this task's shard of each step: its training-mode outputs and labels, for the metrics
      float[][] stepOutputs = new float[to - from][];
      float[][] stepLabels = new float[to - from][];
      long compute = 0;
      long allreduce = 0;
      Tuple2<Integer, Example> pending = null;
      for (int step = from; step < to; step++) {
        int first = step * plan.batchSize;
        int end = first + plan.batchRows(step);
        List<Example> shard = new ArrayList<>();
        while (pending != null || it.hasNext()) {
          Tuple2<Integer, Example> row = pending != null ? pending : it.next();
          pending = null;
          if (row._1() < first) {
            continue;
          }
          if (row._1() >= end) {
            pending = row;
            break;
          }
          // the shuffle must have brought exactly this task's positions, in order
          int expected = first + plan.shardStart(step, task) + shard.size();
          if (row._1() != expected) {
            throw new IllegalStateException("Task " + task + " got epoch position " + row._1()
                + " where its shard of step " + step + " needs position " + expected);
          }
          shard.add(row._2());
        }
        int want = (task + 1 < plan.tasks ? plan.shardStart(step, task + 1)
            : plan.batchRows(step)) - plan.shardStart(step, task);
        if (shard.size() != want) {
          throw new IllegalStateException("Task " + task + " got " + shard.size() + " samples"
              + " for step " + step + " but its shard has " + want);
        }
        hook.beforeStep(task, epoch, step, attempt);
        long t0 = System.nanoTime();
        double loss = 0;
        if (shard.isEmpty()) {
          for (float[] g : mine) {
            java.util.Arrays.fill(g, 0f);
          }
          stepOutputs[step - from] = new float[0];
          stepLabels[step - from] = new float[0];
        } else {
          int n = shard.size();
          int labels = shard.get(0).label().length;
          float[] x = new float[n * features];
          float[] y = new float[n * labels];
          for (int r = 0; r < n; r++) {
            System.arraycopy(shard.get(r).features(), 0, x, r * features, features);
            System.arraycopy(shard.get(r).label(), 0, y, r * labels, labels);
          }
          int[] xs = new int[inputShape.length + 1];
          xs[0] = n;
          System.arraycopy(inputShape, 0, xs, 1, inputShape.length);
          float[] out = new float[n * outputs];
          loss = model.computeGradients(Tensor.wrap(x, xs), Tensor.wrap(y, n, labels), out,
              mine);
          stepOutputs[step - from] = out;
          stepLabels[step - from] = y;
        }
        long t1 = System.nanoTime();
        int at = 0;
        for (float[] g : mine) {
          System.arraycopy(g, 0, flat, at, g.length);
          at += g.length;
        }
        ring.sum(flat);
        at = 0;
        for (float[] s : sums) {
          System.arraycopy(flat, at, s, 0, s.length);
          at += s.length;
        }
        double lossSum = 0;
        for (double l : ring.gather(loss)) {
          lossSum += l;
        }
        losses[step - from] = lossSum;
        long t2 = System.nanoTime();
        model.applyGradients(sums, plan.batchRows(step));
        compute += (t1 - t0) + (System.nanoTime() - t2);
        allreduce += t2 - t1;
      }
      ModelState after = model.getState();
      TaskResult result = new TaskResult(task, attempt, losses,
          task == 0 ? StateBlob.of(after) : null, StateBlob.hash(after), compute, allreduce,
          String.valueOf(model.device()), stepOutputs, stepLabels);
      return CollectionConverters.asScala(List.of(result).iterator());
    }
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
