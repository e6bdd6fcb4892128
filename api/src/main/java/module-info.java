/**
 * The Backplane API and SPI: device discovery and placement, the Keras-style model API, the
 * neutral op set with its autodiff and float64 reference, and the SPI backends implement. The
 * trust and placement machinery lives in {@code dev.backplane.internal.*}, which is not exported.
 */
module dev.backplane.api {
  requires java.logging;
  // the host's physical memory, which placement compares a model's working set with
  requires java.management;
  requires jdk.management;

  exports dev.backplane;
  exports dev.backplane.config;
  exports dev.backplane.data;
  exports dev.backplane.model;
  exports dev.backplane.ops;
  exports dev.backplane.optimizer;
  exports dev.backplane.spi;
  exports dev.backplane.tensor;
  exports dev.backplane.trust;

  uses dev.backplane.spi.BackendProvider;
}
