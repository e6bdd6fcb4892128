/**
 * Guice integration: {@link dev.backplane.guice.BackplaneModule} binds the configured Backplane,
 * its placement and device, with backends added through a multibinder.
 */
package dev.backplane.guice;
