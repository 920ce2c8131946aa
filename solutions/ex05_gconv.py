"""Reference solution — exercise 05: C4 group convolution by filter expansion (lesson 05).

Layout: filters ``(k, k, in_channels, filters)``; a C4 field has channel ``c·4 + h`` (orientation fastest); the
expanded bank has output channel ``o·4 + t`` for filter ``o`` in orientation ``t``.  Rotations are ``np.rot90``.
"""

import numpy as np


def lifting_filter_bank(kernel: np.ndarray) -> np.ndarray:
    """Expand lifting filters ``(k, k, C, F)`` to ``(k, k, C, 4F)``: output channel ``o·4 + t`` is filter ``o``
    rotated by ``t·90°`` counter-clockwise."""
    # BEGIN SOLUTION
    k, _, c, f = kernel.shape
    bank = np.stack([np.rot90(kernel, t, axes=(0, 1)) for t in range(4)], axis=-1)  # (k, k, C, F, 4)
    return bank.reshape(k, k, c, f * 4)
    # END SOLUTION


def group_filter_bank(kernel: np.ndarray) -> np.ndarray:
    """Expand C4 group-convolution filters ``(k, k, 4C, F)`` to ``(k, k, 4C, 4F)``.

    The filter for output orientation ``t`` and input slot ``s`` is the stored slot ``(s − t) mod 4``, rotated by
    ``t·90°``: ``bank[:, :, c·4 + s, o·4 + t] = rot90(kernel[:, :, c·4 + (s − t) % 4, o], t)``.
    """
    # BEGIN SOLUTION
    k, _, channels, f = kernel.shape
    bank = np.zeros((k, k, channels, f * 4), kernel.dtype)
    for t in range(4):
        for s in range(4):
            source = kernel[:, :, (np.arange(channels // 4) * 4 + (s - t) % 4), :]  # (k, k, C, F)
            bank[:, :, s::4, t::4] = np.rot90(source, t, axes=(0, 1))
    return bank
    # END SOLUTION


def orientation_pool(field: np.ndarray, reduction: str = "max") -> np.ndarray:
    """Pool a C4 field ``(B, H, W, 4C)`` over its orientation axis (``"max"`` or ``"mean"``) → ``(B, H, W, C)``."""
    # BEGIN SOLUTION
    split = field.reshape(*field.shape[:-1], field.shape[-1] // 4, 4)
    return split.max(axis=-1) if reduction == "max" else split.mean(axis=-1)
    # END SOLUTION
