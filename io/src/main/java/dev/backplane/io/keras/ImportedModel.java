package dev.backplane.io.keras;

import dev.backplane.io.SavedModel;
import java.util.List;
import java.util.Objects;

/**
 * A Keras model read from its files and mapped to Backplane: the validated architecture, weights
 * and (when mappable) training config, plus what the importer wants the user to know.
 *
 * @param model architecture, weights and training config; never {@code null}
 * @param source what was read, e.g. {@code "Keras 2.6.0 HDF5 model (model.save)"}
 * @param notes remarks, e.g. why the model was not compiled; never {@code null}
 */
public record ImportedModel(SavedModel model, String source, List<String> notes) {
  /** Validates and copies. */
  public ImportedModel {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(source, "source");
    notes = List.copyOf(notes);
  }
}
