/**
 * Model files for Backplane: its own format ({@link dev.backplane.io.ModelFiles}, one safetensors
 * file with the architecture and training config as JSON), checkpoints
 * ({@link dev.backplane.io.ModelCheckpoint}), and the shared pieces every reader here uses for
 * untrusted input: {@link dev.backplane.io.ModelFileException}, the one error type for a bad
 * file; {@link dev.backplane.io.SafeJson} and {@link dev.backplane.io.JsonFields} for JSON read
 * into plain trees; {@link dev.backplane.io.AtomicFiles} for writes that never leave a partial
 * file. Keras import lives in {@link dev.backplane.io.keras}, the array formats in
 * {@link dev.backplane.io.safetensors} and {@link dev.backplane.io.npy}.
 */
package dev.backplane.io;
