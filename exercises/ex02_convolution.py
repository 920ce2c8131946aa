"""Exercise — exercise 02: convolution is weight sharing (lesson 02).

Cross-correlation with circular padding, as Keras computes it: ``y[i] = Σ_j w[j] · x[(i + j − r) mod n]`` with
``r = len(w) // 2`` (the kernel is centred on ``i``).
"""

import numpy as np


def circular_conv1d_matrix(kernel: np.ndarray, n: int) -> np.ndarray:
    """The ``(n, n)`` matrix ``M`` with ``M @ x`` = the circular cross-correlation of ``x`` with ``kernel``."""
    raise NotImplementedError("ex02: implement circular_conv1d_matrix")


def is_circulant(m: np.ndarray, tol: float = 1e-12) -> bool:
    """Is every row of the square matrix ``m`` its previous row shifted one place to the right (cyclically)?"""
    raise NotImplementedError("ex02: implement is_circulant")


def shift_average(m: np.ndarray) -> np.ndarray:
    """Make a dense ``(n, n)`` map shift-equivariant by averaging ``S⁻ˢ M Sˢ`` over all ``n`` cyclic shifts ``S``.

    The result commutes with every shift — and is therefore a convolution (circulant).
    """
    raise NotImplementedError("ex02: implement shift_average")


def dense_params(height: int, width: int, channels: int, units: int, bias: bool = False) -> int:
    """Weights of a fully connected layer from a flattened ``height × width × channels`` image to ``units``."""
    raise NotImplementedError("ex02: implement dense_params")


def conv_params(kernel_size: int, in_channels: int, out_channels: int, bias: bool = False) -> int:
    """Weights of a ``kernel_size × kernel_size`` convolution from ``in_channels`` to ``out_channels``."""
    raise NotImplementedError("ex02: implement conv_params")
