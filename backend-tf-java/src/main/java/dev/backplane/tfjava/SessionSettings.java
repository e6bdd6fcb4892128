package dev.backplane.tfjava;

import dev.backplane.spi.BackendContext;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * How every session of a backend is configured.
 *
 * <p>TensorFlow keeps one process-wide intra-op pool and one inter-op pool, sized by the first
 * session created in the process; later sessions with other sizes share them. Backplane opens one
 * {@code tf-java} backend per process in practice, so {@code backplane.threads} holds.
 *
 * @param threads intra-op and inter-op parallelism ({@code backplane.threads})
 * @param softPlacement whether TensorFlow may move an op without a kernel for the chosen device to
 *     the CPU (on for real use; off in tests that check placement errors)
 * @param grappler whether TensorFlow's graph optimizer rewrites the graph before running it
 *     ({@code backplane.tf-java.grappler})
 */
record SessionSettings(int threads, boolean softPlacement, boolean grappler) {
  /** Validates the thread count. */
  SessionSettings {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
  }

  /** The settings a backend opened with this context uses. */
  static SessionSettings from(BackendContext context) {
    return new SessionSettings(context.threads(), true, context.get(TfJavaProvider.GRAPPLER));
  }

  /** The session configuration. */
  ConfigProto toConfig() {
    ConfigProto.Builder config = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(threads)
        .setAllowSoftPlacement(softPlacement);
    if (!grappler) {
      config.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
          RewriterConfig.newBuilder().setDisableMetaOptimizer(true)));
    }
    return config.build();
  }

  /** For device details. */
  String describe() {
    return threads + " intra-op and " + threads + " inter-op threads (backplane.threads), Grappler "
        + (grappler ? "on" : "off") + " (" + TfJavaProvider.GRAPPLER.name() + ")";
  }
}
