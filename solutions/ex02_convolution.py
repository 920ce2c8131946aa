"""Reference solution — exercise 02: convolution is weight sharing (lesson 02).

Cross-correlation with circular padding, as Keras computes it: ``y[i] = Σ_j w[j] · x[(i + j − r) mod n]`` with
``r = len(w) // 2`` (the kernel is centred on ``i``).
"""

import numpy as np


def circular_conv1d_matrix(kernel: np.ndarray, n: int) -> np.ndarray:
    """The ``(n, n)`` matrix ``M`` with ``M @ x`` = the circular cross-correlation of ``x`` with ``kernel``."""
    # BEGIN SOLUTION
    kernel = np.asarray(kernel, np.float64)
    r = len(kernel) // 2
    m = np.zeros((n, n))
    for i in range(n):
        for j, w in enumerate(kernel):
            m[i, (i + j - r) % n] += w
    return m
    # END SOLUTION


def is_circulant(m: np.ndarray, tol: float = 1e-12) -> bool:
    """Is every row of the square matrix ``m`` its previous row shifted one place to the right (cyclically)?"""
    # BEGIN SOLUTION
    m = np.asarray(m)
    return m.shape[0] == m.shape[1] and all(np.allclose(m[i], np.roll(m[i - 1], 1), atol=tol) for i in range(1, len(m)))
    # END SOLUTION


def shift_average(m: np.ndarray) -> np.ndarray:
    """Make a dense ``(n, n)`` map shift-equivariant by averaging ``S⁻ˢ M Sˢ`` over all ``n`` cyclic shifts ``S``.

    The result commutes with every shift — and is therefore a convolution (circulant).
    """
    # BEGIN SOLUTION
    m = np.asarray(m, np.float64)
    n = len(m)
    shift = np.roll(np.eye(n), 1, axis=0)
    total = np.zeros_like(m)
    power = np.eye(n)
    for _ in range(n):
        total += power.T @ m @ power
        power = shift @ power
    return total / n
    # END SOLUTION


def dense_params(height: int, width: int, channels: int, units: int, bias: bool = False) -> int:
    """Weights of a fully connected layer from a flattened ``height × width × channels`` image to ``units``."""
    # BEGIN SOLUTION
    return height * width * channels * units + (units if bias else 0)
    # END SOLUTION


def conv_params(kernel_size: int, in_channels: int, out_channels: int, bias: bool = False) -> int:
    """Weights of a ``kernel_size × kernel_size`` convolution from ``in_channels`` to ``out_channels``."""
    # BEGIN SOLUTION
    return kernel_size * kernel_size * in_channels * out_channels + (out_channels if bias else 0)
    # END SOLUTION
