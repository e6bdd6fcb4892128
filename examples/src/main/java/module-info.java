/** The runnable examples the README shows. */
module dev.backplane.examples {
  requires transitive dev.backplane.api;

  exports dev.backplane.examples;
}
