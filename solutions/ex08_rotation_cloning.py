"""Reference solution — exercise 08: rotating kernels is permuting taps (lesson 08).

A 3×3 kernel flattened row-major is a vector of 9 taps; rotating the kernel by 90° permutes them.  The C4 teacher
and the cloned student use this 9×9 permutation for each rotation.
"""

import numpy as np


def tap_rotation_matrix(r: int, kernel_size: int = 3) -> np.ndarray:
    """The ``(k², k²)`` permutation matrix ``P_r`` with ``P_r @ kernel.ravel() == np.rot90(kernel, r).ravel()``."""
    # BEGIN SOLUTION
    size = kernel_size * kernel_size
    index = np.rot90(np.arange(size).reshape(kernel_size, kernel_size), r).ravel()
    return np.eye(size)[index]
    # END SOLUTION
