"""Exercise — exercise 09: fine-tuning near a symmetric initialisation (lesson 09)."""

import numpy as np


def kl_to_init(p: np.ndarray, p0: np.ndarray, axis: int = -1) -> float:
    """``Σ_slices KL(softmax(p) ‖ softmax(p0))`` in nats, the softmax taken along ``axis``.

    ``KL(a ‖ b) = Σ_i a_i (log a_i − log b_i)``.  Zero when ``p == p0``; unchanged when a constant is added to ``p``
    along ``axis`` (softmax cannot see it).
    """

    raise NotImplementedError("ex09: implement kl_to_init")


def freeze_all_but(model, trainable_layers) -> int:
    """Make only the layers whose names are in ``trainable_layers`` trainable; return the number of trainable
    parameters left."""
    raise NotImplementedError("ex09: implement freeze_all_but")
