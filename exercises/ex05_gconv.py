"""Exercise — exercise 05: C4 group convolution by filter expansion (lesson 05).

Layout: filters ``(k, k, in_channels, filters)``; a C4 field has channel ``c·4 + h`` (orientation fastest); the
expanded bank has output channel ``o·4 + t`` for filter ``o`` in orientation ``t``.  Rotations are ``np.rot90``.
"""

import numpy as np


def lifting_filter_bank(kernel: np.ndarray) -> np.ndarray:
    """Expand lifting filters ``(k, k, C, F)`` to ``(k, k, C, 4F)``: output channel ``o·4 + t`` is filter ``o``
    rotated by ``t·90°`` counter-clockwise."""
    raise NotImplementedError("ex05: implement lifting_filter_bank")


def group_filter_bank(kernel: np.ndarray) -> np.ndarray:
    """Expand C4 group-convolution filters ``(k, k, 4C, F)`` to ``(k, k, 4C, 4F)``.

    The filter for output orientation ``t`` and input slot ``s`` is the stored slot ``(s − t) mod 4``, rotated by
    ``t·90°``: ``bank[:, :, c·4 + s, o·4 + t] = rot90(kernel[:, :, c·4 + (s − t) % 4, o], t)``.
    """
    raise NotImplementedError("ex05: implement group_filter_bank")


def orientation_pool(field: np.ndarray, reduction: str = "max") -> np.ndarray:
    """Pool a C4 field ``(B, H, W, 4C)`` over its orientation axis (``"max"`` or ``"mean"``) → ``(B, H, W, C)``."""
    raise NotImplementedError("ex05: implement orientation_pool")
