/** Guice bindings: backends and configuration through dependency injection. */
module dev.backplane.guice {
  requires transitive dev.backplane.api;
  requires transitive com.google.guice;
  requires jakarta.inject;

  exports dev.backplane.guice;
}
