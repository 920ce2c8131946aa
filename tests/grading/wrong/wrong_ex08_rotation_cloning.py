"""Plausible wrong answers to exercise 08 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "tap_rotation_matrix": ["test_tap_rotation_matrix_rotates_kernels", "test_tap_rotations_form_a_group"],
}


def tap_rotation_matrix__transposed(r, kernel_size=3):
    """Returns P_r transposed — the inverse permutation, which rotates clockwise."""
    size = kernel_size * kernel_size
    index = np.rot90(np.arange(size).reshape(kernel_size, kernel_size), r).ravel()
    return np.eye(size)[:, index]


def tap_rotation_matrix__clockwise(r, kernel_size=3):
    """Rotates the tap indices by −r."""
    size = kernel_size * kernel_size
    index = np.rot90(np.arange(size).reshape(kernel_size, kernel_size), -r).ravel()
    return np.eye(size)[index]


def tap_rotation_matrix__column_major(r, kernel_size=3):
    """Flattens the kernel column-major (order="F") while the docstring's kernel.ravel() is row-major."""
    size = kernel_size * kernel_size
    index = np.rot90(np.arange(size).reshape(kernel_size, kernel_size, order="F"), r).ravel(order="F")
    return np.eye(size)[index]


def tap_rotation_matrix__ignores_kernel_size(r, kernel_size=3):
    """Always builds the 3×3 permutation."""
    index = np.rot90(np.arange(9).reshape(3, 3), r).ravel()
    return np.eye(9)[index]
