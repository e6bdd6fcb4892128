/**
 * The {@code backplane} command line: {@code devices}, {@code train}, {@code bench},
 * {@code predict} and {@code conformance}, built on picocli.
 */
package dev.backplane.cli;
