/** The TensorFlow Java backend: op graphs lowered to TensorFlow graphs. */
module dev.backplane.tfjava {
  requires dev.backplane.api;
  requires java.logging;
  requires tensorflow;
  requires org.tensorflow.ndarray;

  exports dev.backplane.tfjava;

  provides dev.backplane.spi.BackendProvider with dev.backplane.tfjava.TfJavaProvider;
}
