package dev.backplane.tfjava;

import dev.backplane.conformance.Conformance;
import dev.backplane.conformance.InterpreterProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The published conformance kit against this backend, as a third party would run it: every op
 * check and model check against the api's float64 interpreter.
 */
class TfJavaConformanceTest {
  @TestFactory
  Stream<DynamicNode> conformsToTheKit() {
    return Conformance.of(new TfJavaProvider()).reference(new InterpreterProvider())
        .dynamicTests();
  }
}
