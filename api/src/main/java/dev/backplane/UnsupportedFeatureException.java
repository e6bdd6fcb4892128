package dev.backplane;

/**
 * A backend cannot run a layer, activation, loss or optimizer of a model. Raised at compile time,
 * never by computing something else; the message names the feature, the layer and the backend.
 */
public class UnsupportedFeatureException extends BackplaneException {
  private final String backendId;
  private final String feature;

  /**
   * @param backendId the backend that cannot run the feature
   * @param feature what it cannot run, e.g. {@code "layer 'conv_1' (Conv2D)"}
   */
  public UnsupportedFeatureException(String backendId, String feature) {
    super("Backend '" + backendId + "' cannot run " + feature
        + "; choose another backend with backplane.backend or change the model");
    this.backendId = backendId;
    this.feature = feature;
  }

  /** The backend that cannot run the feature. */
  public String backendId() {
    return backendId;
  }

  /** What it cannot run, e.g. {@code "layer 'conv_1' (Conv2D)"}. */
  public String feature() {
    return feature;
  }
}
