/** The experimental Metal probe, with a simulated device for fault injection. */
module dev.backplane.metal {
  requires dev.backplane.api;
  requires com.sun.jna;

  exports dev.backplane.metal;
  // JNA reads the Metal and Objective-C runtime interfaces reflectively.
  opens dev.backplane.metal to com.sun.jna;

  provides dev.backplane.spi.BackendProvider with dev.backplane.metal.MetalProvider;
}
