"""Writes io/src/test/resources/keras/metrics/streaming.keras: a small model compiled with
Keras's streaming metrics and non-default options, for KerasStreamingMetricsTest.

  KERAS_BACKEND=jax /tmp/kvenv/bin/python io/src/test/keras/make_metric_fixtures.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "resources", "keras", "metrics", "streaming.keras")
keras.utils.set_random_seed(3)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
              metrics=[keras.metrics.Precision(thresholds=0.3, class_id=1),
                       keras.metrics.Recall(top_k=2),
                       keras.metrics.AUC(num_thresholds=50, curve="PR"),
                       keras.metrics.F1Score(average="macro", threshold=0.4),
                       keras.metrics.TopKCategoricalAccuracy(k=2),
                       keras.metrics.MeanIoU(num_classes=3, sparse_y_pred=False)])
model.save(out)
print("wrote", os.path.normpath(out))
