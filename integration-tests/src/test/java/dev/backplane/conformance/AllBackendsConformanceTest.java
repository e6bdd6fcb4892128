package dev.backplane.conformance;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** The whole kit over every backend on the test class path, each against the reference. */
class AllBackendsConformanceTest {
  @TestFactory
  Stream<DynamicNode> everyBackendOnTheClassPath() {
    List<Conformance> all = Conformance.forClassPath();
    if (all.isEmpty()) {
      return Stream.of(dynamicTest("no backend on the test class path", () -> Assumptions.abort(
          "no backend provider is on the test class path yet")));
    }
    return all.stream().map(Conformance::dynamicContainer);
  }
}
