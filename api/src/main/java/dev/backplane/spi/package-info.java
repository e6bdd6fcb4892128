/**
 * The backend SPI: {@link dev.backplane.spi.BackendProvider} (found with ServiceLoader, cheap),
 * {@link dev.backplane.spi.Backend} (opened lazily), {@link dev.backplane.spi.Executable} (one
 * compiled model on one device), and the backend-neutral values they exchange:
 * {@link dev.backplane.spi.ModelSpec} and {@link dev.backplane.spi.ModelState}.
 */
package dev.backplane.spi;
