"""Builds the conv / normalization / embedding fixtures of ConvKerasImportTest.

Run with Keras 3.15.1 on JAX (CPU), from the repository root:

    python3 -m venv /tmp/kvenv
    /tmp/kvenv/bin/pip install --index-url file:///opt/pypi/simple keras==3.15.1 jax jaxlib h5py
    KERAS_BACKEND=jax /tmp/kvenv/bin/python io/src/test/keras/make_conv_fixtures.py

Writes to io/src/test/resources/keras/conv/, for each model <name>:
  <name>.keras, <name>.h5     model.save (Keras 3 archive; legacy HDF5, Keras 2 layout)
  <name>.expected.json        fixed inputs and Keras's predictions (float64 text, flat, with
                              their shapes)

Models:
  mnist      Sequential: the Keras MNIST convnet with 4 and 8 filters: Input(28, 28, 1) ->
             Conv2D(4, 3, relu) -> MaxPooling2D(2) -> Conv2D(8, 3, relu) -> MaxPooling2D(2) ->
             Flatten -> Dropout(0.5) -> Dense(10, softmax)
  mobile     functional, fit 3 steps (Adam, mse) so BatchNormalization's moving statistics are
             not trivial: Conv2D -> BatchNormalization -> ReLU -> DepthwiseConv2D(mult 2) ->
             SeparableConv2D -> Conv2DTranspose(strides 2) -> AveragePooling2D(same) ->
             GlobalAveragePooling2D -> Dense
  causal     functional: Conv1D(causal, dilation 2) -> LayerNormalization -> UpSampling1D ->
             Conv1D -> GlobalMaxPooling1D -> Dense
  embedding  Sequential: Embedding(20, 4) -> GlobalAveragePooling1D -> Dense(3)
  shapes     functional: ZeroPadding2D, Cropping2D, UpSampling2D, PReLU(shared_axes), MaxPooling2D
             (same), Reshape, Permute, ZeroPadding1D, Cropping1D, MaxPooling1D, AveragePooling1D,
             LeakyReLU, ELU, ReLU(max_value, negative_slope, threshold), GlobalMaxPooling2D,
             GlobalAveragePooling1D, RepeatVector, Softmax, Conv3D, a frozen Dense
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "keras", "conv")


def mnist():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        L.Conv2D(4, kernel_size=(3, 3), activation="relu"),
        L.MaxPooling2D(pool_size=(2, 2)),
        L.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        L.MaxPooling2D(pool_size=(2, 2)),
        L.Flatten(),
        L.Dropout(0.5),
        L.Dense(10, activation="softmax"),
    ], name="mnist")
    return model, [(2, 28, 28, 1)], None


def mobile():
    x = keras.Input(shape=(8, 8, 3), name="image")
    h = L.Conv2D(4, 3, padding="same", use_bias=False, name="stem")(x)
    h = L.BatchNormalization(name="bn")(h)
    h = L.ReLU(name="relu")(h)
    h = L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", name="dw")(h)
    h = L.SeparableConv2D(6, 3, padding="same", activation="relu", name="sep")(h)
    h = L.Conv2DTranspose(4, 3, strides=2, padding="same", name="up")(h)
    h = L.AveragePooling2D(3, strides=2, padding="same", name="avg")(h)
    h = L.GlobalAveragePooling2D(name="gap")(h)
    y = L.Dense(3, name="head")(h)
    model = keras.Model(x, y, name="mobile")
    return model, [(3, 8, 8, 3)], "fit"


def causal():
    x = keras.Input(shape=(10, 3), name="seq")
    h = L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="tanh", name="c1")(x)
    h = L.LayerNormalization(name="ln")(h)
    h = L.UpSampling1D(2, name="ups")(h)
    h = L.Conv1D(5, 2, strides=2, name="c2")(h)
    h = L.GlobalMaxPooling1D(name="gmp")(h)
    y = L.Dense(2, activation="sigmoid", name="out")(h)
    return keras.Model(x, y, name="causal"), [(4, 10, 3)], None


def embedding():
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        L.Embedding(20, 4),
        L.GlobalAveragePooling1D(),
        L.Dense(3, activation="softmax"),
    ], name="embedding")
    return model, [(4, 6)], "int"


def shapes():
    x = keras.Input(shape=(6, 5, 2), name="grid")
    h = L.ZeroPadding2D(((1, 0), (2, 1)), name="zp2")(x)
    h = L.Cropping2D(((0, 1), (1, 0)), name="crop2")(h)
    h = L.UpSampling2D((1, 2), name="ups2")(h)
    h = L.Conv2D(3, 2, strides=(2, 1), name="conv")(h)
    h = L.PReLU(shared_axes=[1, 2], name="prelu")(h)
    h = L.MaxPooling2D(2, padding="same", name="mp2")(h)
    h = L.LeakyReLU(negative_slope=0.1, name="leaky")(h)
    g = L.GlobalMaxPooling2D(name="gmp2")(h)
    h = L.Reshape((-1, 3), name="reshape")(h)
    h = L.Permute((2, 1), name="permute")(h)
    h = L.ZeroPadding1D((1, 2), name="zp1")(h)
    h = L.Cropping1D((0, 1), name="crop1")(h)
    h = L.MaxPooling1D(2, strides=1, name="mp1")(h)
    h = L.AveragePooling1D(2, padding="same", name="ap1")(h)
    h = L.ELU(alpha=0.7, name="elu")(h)
    h = L.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.05, name="relu")(h)
    h = L.GlobalAveragePooling1D(name="gap1")(h)
    h = L.Concatenate(name="cat")([h, g])
    frozen = L.Dense(4, name="frozen")
    frozen.trainable = False
    h = frozen(h)
    h = L.RepeatVector(2, name="rep")(h)
    h = L.Reshape((2, 2, 2, 1), name="to3d")(h)
    h = L.Conv3D(2, 2, padding="same", name="c3")(h)
    h = L.Flatten(name="flat")(h)
    y = L.Softmax(name="softmax")(h)
    return keras.Model(x, y, name="shapes"), [(3, 6, 5, 2)], None


def main():
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(1234)
    rng = np.random.default_rng(7)
    for name, build in [("mnist", mnist), ("mobile", mobile), ("causal", causal),
                        ("embedding", embedding), ("shapes", shapes)]:
        model, input_shapes, kind = build()
        # Non-zero biases / slopes so a mix-up shows in the predictions.
        for layer in model.layers:
            ws = layer.get_weights()
            if ws and not isinstance(layer, L.BatchNormalization):
                layer.set_weights([w + rng.normal(0, 0.3, w.shape).astype(w.dtype)
                                   if w.ndim == 1 or isinstance(layer, L.PReLU) else w
                                   for w in ws])
        if kind == "int":
            xs = [rng.integers(0, 20, s).astype("float32") for s in input_shapes]
        else:
            xs = [rng.uniform(-1, 1, s).astype("float32") for s in input_shapes]
        if kind == "fit":
            model.compile(optimizer="adam", loss="mse")
            tx = rng.normal(0.5, 2.0, (12,) + input_shapes[0][1:]).astype("float32")
            ty = rng.normal(0, 1, (12, 3)).astype("float32")
            model.fit(tx, ty, batch_size=4, epochs=1, verbose=0)
        y = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        model.save(os.path.join(OUT, name + ".keras"))
        model.save(os.path.join(OUT, name + ".h5"))  # legacy HDF5 (Keras 2 layout)
        with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
            json.dump({"keras_version": keras.__version__,
                       "backend": keras.backend.backend(),
                       "input_shapes": [list(x.shape) for x in xs],
                       "inputs": [x.astype("float64").ravel().tolist() for x in xs],
                       "output_shape": list(y.shape),
                       "outputs": y.astype("float64").ravel().tolist()}, f)
            f.write("\n")


if __name__ == "__main__":
    main()
