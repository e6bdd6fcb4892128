package dev.backplane.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.cli.bench.BackplaneBackend;
import dev.backplane.cli.bench.BackplaneRunner;
import dev.backplane.cli.bench.MlpRunner;
import dev.backplane.cli.bench.MlpTask;
import dev.backplane.config.BackplaneConfig;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The peers really train (not timed): on learnable tasks their loss falls, from the same initial
 * weights as Backplane's CPU backend and, in the first epoch, to nearly the same loss.
 */
class PeersLearnTest {
  private static final Map<String, BiFunction<MlpTask, Integer, MlpRunner>> PEERS = Map.of(
      TfGraphMlp.NAME, TfGraphMlp::new, DjlMlp.NAME, DjlMlp::new);

  @TestFactory
  Stream<DynamicTest> lossFalls() {
    return PEERS.entrySet().stream().flatMap(peer -> LossCheck.tasks(42).stream()
        .map(task -> DynamicTest.dynamicTest(peer.getKey() + " on " + task.name(), () -> {
          int epochs = task.sparse() ? LossCheck.MNIST_EPOCHS : LossCheck.SEED_EPOCHS;
          double[] peerLoss;
          try (MlpRunner r = peer.getValue().apply(task, 1)) {
            peerLoss = r.fit(epochs);
            float[] out = new float[2 * task.outputs()];
            r.predict(task.x().rows(0, 2).toArray(), 2, out);
            for (float p : out) {
              assertThat(p).isBetween(0f, 1f);
            }
          }
          assertThat(new LossCheck.Curve(task.name(), peer.getKey(), peerLoss).falls())
              .as("%s loss per epoch %s", peer.getKey(), java.util.Arrays.toString(peerLoss))
              .isTrue();
          double[] reference;
          try (MlpRunner r = BackplaneRunner.open(BackplaneBackend.ACCELERATE_JAVA, config(), 1,
              task)) {
            reference = r.fit(1);
          }
          assertThat(peerLoss[0]).isCloseTo(reference[0], within(0.02 * reference[0]));
        })));
  }

  private static BackplaneConfig config() {
    return BackplaneConfig.builder().systemProperties(new Properties()).environment(Map.of())
        .classpathFile(false).build();
  }
}
