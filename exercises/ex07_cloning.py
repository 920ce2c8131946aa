"""Exercise — exercise 07: the structure a cloned MLP must learn (lesson 07).

A valid 3×3 cross-correlation of an ``n × n`` image is ``y = Σ_b k_b · W_b x`` with ``x`` flattened row-major
(length ``n²``), ``y`` flattened row-major (length ``m²``, ``m = n − 2``), ``b = 3·di + dj`` the kernel tap, and
``W_b`` the shift matrix picking pixel ``(i + di, j + dj)`` for output ``(i, j)``.
"""

import numpy as np


def shift_matrices(n: int) -> np.ndarray:
    """The 9 shift matrices ``W_b`` of a valid 3×3 correlation on ``n × n`` images: shape ``(9, m², n²)``."""
    raise NotImplementedError("ex07: implement shift_matrices")


def cloning_loss(student_maps: np.ndarray, teacher_maps: np.ndarray) -> float:
    """Mean squared error between the student's and the teacher's feature maps (over every entry)."""
    raise NotImplementedError("ex07: implement cloning_loss")
