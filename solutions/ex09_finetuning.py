"""Reference solution — exercise 09: fine-tuning near a symmetric initialisation (lesson 09)."""

import numpy as np


def kl_to_init(p: np.ndarray, p0: np.ndarray, axis: int = -1) -> float:
    """``Σ_slices KL(softmax(p) ‖ softmax(p0))`` in nats, the softmax taken along ``axis``.

    ``KL(a ‖ b) = Σ_i a_i (log a_i − log b_i)``.  Zero when ``p == p0``; unchanged when a constant is added to ``p``
    along ``axis`` (softmax cannot see it).
    """

    # BEGIN SOLUTION
    def log_softmax(v):
        v = np.asarray(v, np.float64)
        v = v - v.max(axis=axis, keepdims=True)
        return v - np.log(np.exp(v).sum(axis=axis, keepdims=True))

    log_a, log_b = log_softmax(p), log_softmax(p0)
    return float(np.sum(np.exp(log_a) * (log_a - log_b)))
    # END SOLUTION


def freeze_all_but(model, trainable_layers) -> int:
    """Make only the layers whose names are in ``trainable_layers`` trainable; return the number of trainable
    parameters left."""
    # BEGIN SOLUTION
    for layer in model.layers:
        layer.trainable = layer.name in trainable_layers
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
    # END SOLUTION
