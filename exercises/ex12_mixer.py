"""Exercise — exercise 12: patches for a Mixer, and the cost of a clone (lesson 12)."""

import numpy as np


def to_patches(image: np.ndarray, patch_size: int) -> np.ndarray:
    """Cut an ``(n, n)`` image into ``p × p`` patches: the token matrix ``X`` of shape ``(t, p²)``, ``t = (n/p)²``.

    Row ``s = I·(n/p) + J`` is the patch in patch-row ``I`` and patch-column ``J``; inside it, column
    ``a·p + b`` is the pixel in row ``a`` and column ``b`` of the patch, i.e. image pixel ``(I·p + a, J·p + b)``.
    (``symkeras.layers.mix_patches`` uses this order; token mixing multiplies ``X`` from the left, channel mixing
    from the right.)
    """
    raise NotImplementedError("ex12: implement to_patches")


def steps_to_error(losses, relative_error: float, teacher_variance: float = 9.0):
    """The first optimizer step (counting from 1) whose batch MSE reaches a relative RMS error ``relative_error``,
    i.e. ``loss ≤ teacher_variance · relative_error²``; ``None`` if no step does.

    ``losses[0]`` is the loss of step 1.  The teacher's outputs have variance 9, so MSE 9ε² is a relative error ε.
    """
    raise NotImplementedError("ex12: implement steps_to_error")
