/** The {@code backplane} command line. */
module dev.backplane.cli {
  requires dev.backplane.api;
  requires dev.backplane.accelerate;
  requires dev.backplane.conformance;
  requires dev.backplane.examples;
  requires dev.backplane.io;
  requires dev.backplane.reports;
  requires java.logging;
  requires info.picocli;

  exports dev.backplane.cli;
  // picocli reads and writes the command classes' annotated fields reflectively.
  opens dev.backplane.cli to info.picocli;
  opens dev.backplane.cli.bench to info.picocli;
}
