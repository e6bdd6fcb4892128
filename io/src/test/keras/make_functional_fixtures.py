"""Builds the functional-model fixtures of FunctionalKerasFixturesTest.

Run with Keras 3.15.1 on JAX (CPU), from the repository root:

    python3 -m venv /tmp/kvenv
    /tmp/kvenv/bin/pip install keras==3.15.1 jax jaxlib h5py
    KERAS_BACKEND=jax /tmp/kvenv/bin/python io/src/test/keras/make_functional_fixtures.py

Writes to io/src/test/resources/keras/functional/:
  residual.keras, residual.h5        Input(4) -> Dense(8, relu) -> Dense(8, relu)
                                     -> Add([that, first]) -> Dense(3, softmax)
  concat.keras, concat.h5            Input(3), Input(2) -> Dense(4, tanh) on each
                                     -> Concatenate -> Dense(2)
  <name>.expected.json               fixed inputs and Keras's predictions (float64 text)
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "keras", "functional")


def residual():
    inp = keras.Input(shape=(4,), name="x")
    h1 = keras.layers.Dense(8, activation="relu", name="dense_a")(inp)
    h2 = keras.layers.Dense(8, activation="relu", name="dense_b")(h1)
    s = keras.layers.Add(name="add")([h2, h1])
    out = keras.layers.Dense(3, activation="softmax", name="head")(s)
    return keras.Model(inp, out, name="residual"), [(5, 4)]


def concat():
    a = keras.Input(shape=(3,), name="left")
    b = keras.Input(shape=(2,), name="right")
    ha = keras.layers.Dense(4, activation="tanh", name="dense_left")(a)
    hb = keras.layers.Dense(4, activation="tanh", name="dense_right")(b)
    c = keras.layers.Concatenate(name="concat")([ha, hb])
    out = keras.layers.Dense(2, name="out")(c)
    return keras.Model([a, b], out, name="two_inputs"), [(5, 3), (5, 2)]


def main():
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(1234)
    rng = np.random.default_rng(99)
    for name, build in [("residual", residual), ("concat", concat)]:
        model, shapes = build()
        # Non-zero biases so that a bias mix-up shows in the predictions.
        for layer in model.layers:
            ws = layer.get_weights()
            if ws:
                layer.set_weights([w + rng.normal(0, 0.3, w.shape).astype(w.dtype)
                                   if w.ndim == 1 else w for w in ws])
        xs = [rng.uniform(-1, 1, s).astype("float32") for s in shapes]
        y = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        model.save(os.path.join(OUT, name + ".keras"))
        model.save(os.path.join(OUT, name + ".h5"))  # legacy HDF5 (Keras 2 layout)
        with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
            json.dump({"keras_version": keras.__version__,
                       "backend": keras.backend.backend(),
                       "inputs": [x.astype("float64").tolist() for x in xs],
                       "outputs": y.astype("float64").tolist()}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
