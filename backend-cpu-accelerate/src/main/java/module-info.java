/** The CPU backend: Apple Accelerate, OpenBLAS or pure-Java kernels behind one graph compiler. */
module dev.backplane.accelerate {
  requires dev.backplane.api;
  requires java.logging;
  requires jdk.incubator.vector;
  requires com.sun.jna;
  requires org.bytedeco.javacpp;
  requires org.bytedeco.openblas;

  exports dev.backplane.accelerate;
  // JNA reads the native library interfaces and structures reflectively.
  opens dev.backplane.accelerate to com.sun.jna;

  provides dev.backplane.spi.BackendProvider with dev.backplane.accelerate.AccelerateProvider;
}
