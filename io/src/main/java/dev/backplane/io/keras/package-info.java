/**
 * Import of Keras Sequential models with jhdf, pure Java:
 * {@link dev.backplane.io.keras.KerasModels} reads Keras 2 HDF5 files ({@code model.save},
 * architecture JSON plus {@code save_weights}) and Keras 3 {@code .keras} archives, maps their
 * layers to the api's, and fails by name on anything it cannot compute exactly. The HDF5 and
 * config layouts are documented on the package-private readers: {@code LegacyH5Weights},
 * {@code Keras3Weights}, {@code KerasConfigParser}, {@code KerasLayerMapper},
 * {@code KerasTraining}.
 */
package dev.backplane.io.keras;
