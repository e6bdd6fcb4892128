package dev.backplane.accelerate;

import dev.backplane.conformance.Conformance;
import dev.backplane.conformance.InterpreterProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The published conformance kit against this backend, as a third party would run it: every op
 * check and model check against the api's float64 interpreter. An op the backend does not
 * implement is a skip naming it, never a pass.
 */
class AccelerateConformanceTest {
  @TestFactory
  Stream<DynamicNode> conformsToTheKit() {
    return Conformance.of(new AccelerateProvider()).reference(new InterpreterProvider())
        .dynamicTests();
  }
}
