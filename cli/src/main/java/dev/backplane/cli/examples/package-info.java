/**
 * Examples of extending Backplane with the public op builder: a custom layer
 * ({@link dev.backplane.cli.examples.RmsNorm}) and a custom loss
 * ({@link dev.backplane.cli.examples.Huber}), used by {@code backplane train --model custom}.
 */
package dev.backplane.cli.examples;
