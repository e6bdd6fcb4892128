/** The conformance kit: every backend's checks against the float64 reference. */
module dev.backplane.conformance {
  requires transitive dev.backplane.api;
  requires java.logging;
  requires java.management;
  requires org.junit.jupiter.api;

  exports dev.backplane.conformance;
}
