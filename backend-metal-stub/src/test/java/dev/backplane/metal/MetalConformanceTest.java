package dev.backplane.metal;

import dev.backplane.conformance.Conformance;
import dev.backplane.conformance.InterpreterProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The published conformance kit against the Metal probe: on a Mac the real device (which has no
 * kernels yet, so it fails); elsewhere every check is a skip with the platform reason. The
 * simulated device (backplane.metal.simulate=ok) computes with the reference CPU kernels and
 * conforms.
 */
class MetalConformanceTest {
  @TestFactory
  Stream<DynamicNode> theRealDeviceIsCheckedOrSkippedWithTheReason() {
    return Conformance.of(new MetalProvider()).reference(new InterpreterProvider())
        .dynamicTests();
  }

  @TestFactory
  Stream<DynamicNode> theSimulatedDeviceConforms() {
    return Conformance.of(new MetalProvider()).reference(new InterpreterProvider())
        .set("backplane.metal.simulate", "ok").dynamicTests();
  }
}
