package dev.backplane.conformance;

import dev.backplane.conformance.javaref.JavaRefProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** The kit as a backend author uses it: a few lines in a test class. */
class JavaRefConformanceTest {
  @TestFactory
  Stream<DynamicNode> conformance() {
    return Conformance.of(new JavaRefProvider()).reference(new JavaRefProvider()).dynamicTests();
  }
}
