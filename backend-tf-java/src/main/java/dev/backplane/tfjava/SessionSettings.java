package dev.backplane.tfjava;

import org.tensorflow.proto.ConfigProto;

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
 */
record SessionSettings(int threads, boolean softPlacement) {
  /** Validates the thread count. */
  SessionSettings {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
  }

  /** The session configuration. */
  ConfigProto toConfig() {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(threads)
        .setAllowSoftPlacement(softPlacement)
        .build();
  }
}
