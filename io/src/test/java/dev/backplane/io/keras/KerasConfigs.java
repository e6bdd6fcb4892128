package dev.backplane.io.keras;

import static dev.backplane.io.keras.KerasFiles.json;

/**
 * Model configs as the Keras versions named below write them (one model each), for the import
 * tests here and in the CLI.
 */
public final class KerasConfigs {
  private KerasConfigs() {}

  /** The options tf.keras 2.6 writes for a default Dense, after its activation. */
  public static final String DENSE_OPTIONS = "'kernel_initializer': {'class_name':"
      + " 'GlorotUniform', 'config': {'seed': null}}, 'bias_initializer': {'class_name':"
      + " 'Zeros', 'config': {}}, 'kernel_regularizer': null, 'bias_regularizer': null,"
      + " 'activity_regularizer': null, 'kernel_constraint': null, 'bias_constraint': null";

  /** A Keras 2.x (tf.keras 2.6) layer entry for a Dense. */
  public static String dense2(String name, int units, String activation, String extra) {
    return "{'class_name': 'Dense', 'config': {'name': '" + name + "', 'trainable': true, "
        + extra + "'dtype': 'float32', 'units': " + units + ", 'activation': '" + activation
        + "', 'use_bias': true, " + DENSE_OPTIONS + "}}";
  }

  /**
   * tf.keras 2.6 {@code model_config}: 4 → dense(8, relu) → dropout → leaky → dense_1(3) →
   * softmax; pairs of (text, replacement) edit the JSON.
   */
  public static String keras26(String... replaceLayer) {
    String layers = String.join(", ",
        "{'class_name': 'InputLayer', 'config': {'batch_input_shape': [null, 4], 'dtype':"
            + " 'float32', 'sparse': false, 'ragged': false, 'name': 'dense_input'}}",
        dense2("dense", 8, "relu", "'batch_input_shape': [null, 4], "),
        "{'class_name': 'Dropout', 'config': {'name': 'dropout', 'trainable': true, 'dtype':"
            + " 'float32', 'rate': 0.2, 'noise_shape': null, 'seed': null}}",
        "{'class_name': 'LeakyReLU', 'config': {'name': 'leaky_re_lu', 'trainable': true,"
            + " 'dtype': 'float32', 'alpha': 0.20000000298023224}}",
        dense2("dense_1", 3, "linear", ""),
        "{'class_name': 'Softmax', 'config': {'name': 'softmax', 'trainable': true, 'dtype':"
            + " 'float32', 'axis': -1}}");
    String config = json("{'class_name': 'Sequential', 'config': {'name': 'sequential',"
        + " 'layers': [" + layers + "]}, 'keras_version': '2.6.0', 'backend': 'tensorflow'}");
    for (int i = 0; i + 1 < replaceLayer.length; i += 2) {
      if (!config.contains(replaceLayer[i])) {
        throw new IllegalArgumentException("no " + replaceLayer[i] + " in " + config);
      }
      config = config.replace(replaceLayer[i], replaceLayer[i + 1]);
    }
    return config;
  }

  /** tf.keras 2.6 {@code training_config} for Adam, categorical cross-entropy, accuracy. */
  public static final String TRAINING_26 = json("{'loss': 'categorical_crossentropy',"
      + " 'metrics': [[{'class_name': 'MeanMetricWrapper', 'config': {'name': 'accuracy', 'dtype':"
      + " 'float32', 'fn': 'categorical_accuracy'}}]], 'weighted_metrics': null,"
      + " 'loss_weights': null, 'optimizer_config': {'class_name': 'Adam', 'config': {'name':"
      + " 'Adam', 'learning_rate': 0.0010000000474974513, 'decay': 0.0, 'beta_1':"
      + " 0.8999999761581421, 'beta_2': 0.9990000128746033, 'epsilon': 1e-07, 'amsgrad':"
      + " false}}}");

  /** Keras 2.0/2.1 {@code model_config}: the layer list itself, input on the first layer. */
  public static final String KERAS_20 = json("{'class_name': 'Sequential', 'config': ["
      + "{'class_name': 'Dense', 'config': {'name': 'dense_1', 'trainable': true,"
      + " 'batch_input_shape': [null, 2], 'dtype': 'float32', 'units': 2, 'activation': 'tanh',"
      + " 'use_bias': true, 'kernel_initializer': {'class_name': 'VarianceScaling', 'config':"
      + " {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform', 'seed': null}},"
      + " 'bias_initializer': {'class_name': 'Zeros', 'config': {}}, 'kernel_regularizer': null,"
      + " 'bias_regularizer': null, 'activity_regularizer': null, 'kernel_constraint': null,"
      + " 'bias_constraint': null}},"
      + " {'class_name': 'Activation', 'config': {'name': 'activation_1', 'trainable': true,"
      + " 'activation': 'sigmoid'}}]}");

  private static final String POLICY = "{'module': 'keras', 'class_name': 'DTypePolicy',"
      + " 'config': {'name': 'float32'}, 'registered_name': null}";

  private static String dense3(String name, int units, String activation, int inputs) {
    return "{'module': 'keras.layers', 'class_name': 'Dense', 'config': {'name': '" + name
        + "', 'trainable': true, 'dtype': " + POLICY + ", 'units': " + units
        + ", 'activation': '" + activation + "', 'use_bias': true, 'kernel_initializer':"
        + " {'module': 'keras.initializers', 'class_name': 'GlorotUniform', 'config': {'seed':"
        + " null}, 'registered_name': null}, 'bias_initializer': {'module':"
        + " 'keras.initializers', 'class_name': 'Zeros', 'config': {}, 'registered_name':"
        + " null}, 'kernel_regularizer': null, 'bias_regularizer': null, 'kernel_constraint':"
        + " null, 'bias_constraint': null}, 'registered_name': null, 'build_config':"
        + " {'input_shape': [null, " + inputs + "]}}";
  }

  /**
   * Keras 3.3 {@code config.json}: (2, 3) → flatten → hidden(4, elu via ELU) → ReLU →
   * Activation(tanh) → logits(2); compiled with SGD(0.05, momentum 0.9, nesterov), mse, mae.
   * The Dense layers are named {@code hidden} and {@code logits}, while their weights live under
   * {@code layers/dense} and {@code layers/dense_1}.
   */
  public static final String KERAS_3 = json("{'module': 'keras', 'class_name': 'Sequential',"
      + " 'config': {'name': 'sequential_3', 'trainable': true, 'dtype': " + POLICY
      + ", 'layers': ["
      + "{'module': 'keras.layers', 'class_name': 'InputLayer', 'config': {'batch_shape':"
      + " [null, 2, 3], 'dtype': 'float32', 'sparse': false, 'name': 'input_layer'},"
      + " 'registered_name': null},"
      + " {'module': 'keras.layers', 'class_name': 'Flatten', 'config': {'name': 'flatten',"
      + " 'trainable': true, 'dtype': " + POLICY + ", 'data_format': 'channels_last'},"
      + " 'registered_name': null, 'build_config': {'input_shape': [null, 2, 3]}}, "
      + dense3("hidden", 4, "linear", 6) + ","
      + " {'module': 'keras.layers', 'class_name': 'ELU', 'config': {'name': 'elu', 'trainable':"
      + " true, 'dtype': " + POLICY + ", 'alpha': 1.0}, 'registered_name': null},"
      + " {'module': 'keras.layers', 'class_name': 'ReLU', 'config': {'name': 're_lu',"
      + " 'trainable': true, 'dtype': " + POLICY + ", 'max_value': null, 'negative_slope': 0.0,"
      + " 'threshold': 0.0}, 'registered_name': null},"
      + " {'module': 'keras.layers', 'class_name': 'Activation', 'config': {'name':"
      + " 'activation', 'trainable': true, 'dtype': " + POLICY + ", 'activation': 'tanh'},"
      + " 'registered_name': null}, "
      + dense3("logits", 2, "linear", 4)
      + "], 'build_input_shape': [null, 2, 3]}, 'registered_name': null, 'build_config':"
      + " {'input_shape': [null, 2, 3]}, 'compile_config': {'optimizer': {'module':"
      + " 'keras.optimizers', 'class_name': 'SGD', 'config': {'name': 'SGD', 'learning_rate':"
      + " 0.05000000074505806, 'weight_decay': null, 'clipnorm': null, 'global_clipnorm': null,"
      + " 'clipvalue': null, 'use_ema': false, 'ema_momentum': 0.99, 'ema_overwrite_frequency':"
      + " null, 'loss_scale_factor': null, 'gradient_accumulation_steps': null, 'momentum':"
      + " 0.9, 'nesterov': true}, 'registered_name': null}, 'loss': 'mean_squared_error',"
      + " 'loss_weights': null, 'metrics': ['mae'], 'weighted_metrics': null, 'run_eagerly':"
      + " false, 'steps_per_execution': 1, 'jit_compile': false}}");
}
