/**
 * The safetensors format for float32 arrays: {@link dev.backplane.io.safetensors.Safetensors}
 * reads (validating everything before any data is read) and writes (atomically) named arrays with
 * string metadata.
 */
package dev.backplane.io.safetensors;
