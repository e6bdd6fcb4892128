/** Model files (safetensors), Keras import and datasets from NPY and CSV files. */
module dev.backplane.io {
  requires transitive dev.backplane.api;
  requires java.logging;
  requires com.fasterxml.jackson.databind;
  requires io.jhdf;
  requires org.apache.commons.csv;

  exports dev.backplane.io;
  exports dev.backplane.io.data;
  exports dev.backplane.io.keras;
  exports dev.backplane.io.npy;
  exports dev.backplane.io.safetensors;
}
