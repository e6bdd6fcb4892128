/** Training reports (HTML with charts) and process resource monitoring. */
module dev.backplane.reports {
  requires transitive dev.backplane.api;
  requires transitive dev.backplane.conformance;
  requires java.desktop;
  requires java.management;
  requires jdk.management;
  requires org.jfree.jfreechart;
  requires com.github.oshi;

  exports dev.backplane.reports;
}
