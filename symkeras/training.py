"""Training helpers shared by the experiments, benchmarks and lessons: compile a classifier, fit it on a schedule,
and score it.

All three use the same conventions: integer labels, logits out of the model (``from_logits=True``), Adam with a
learning rate that decays by 5% per epoch.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["compile_classifier", "fit_and_score", "accuracy"]


def compile_classifier(model, learning_rate: float = 1e-3, jit_compile="auto"):
    """Compile ``model`` (logits out, integer labels in) with Adam, sparse categorical cross-entropy and accuracy.

    ``jit_compile="auto"`` lets Keras decide (XLA on GPU); see :func:`symkeras.distribute.jit_compile_for` for the
    project's choice per model kind.  Returns ``model``."""
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    return model


def fit_and_score(
    model, train_ds, x_test, y_test, epochs: int, verbose: int = 1, learning_rate: float = 1e-3, compiled: bool = False
) -> tuple[float, float]:
    """Train ``model`` on ``train_ds`` with Adam (learning rate × 0.95 per epoch) and return
    ``(test accuracy, training seconds)``.

    Compiles ``model`` with :func:`compile_classifier` unless ``compiled`` (e.g. it was compiled inside a
    distribution strategy's scope).  ``verbose`` is Keras' (1: a live bar, 2: one line per epoch)."""
    import keras

    if epochs < 1:
        raise ValueError(f"`epochs` must be >= 1. Received: epochs={epochs!r}")
    if not compiled:
        compile_classifier(model, learning_rate)
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: learning_rate * 0.95**epoch)
    start = time.perf_counter()
    model.fit(train_ds, epochs=epochs, verbose=verbose, callbacks=[schedule], shuffle=False)  # ds shuffles itself
    seconds = time.perf_counter() - start
    return accuracy(model, x_test, y_test), seconds


def accuracy(model, x, y, batch_size: int = 256) -> float:
    """The fraction of ``x`` that ``model`` classifies as ``y`` (argmax of its outputs)."""
    logits = model.predict(x, batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(logits, axis=-1) == np.asarray(y)))
