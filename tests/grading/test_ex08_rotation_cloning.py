import numpy as np
import pytest

from symkeras.grading import expect_close, expect_equal
from symkeras.layers import filter_bank_indices


@pytest.mark.points(2)
def test_tap_rotation_matrix_rotates_kernels(ex, rng):
    for size in (3, 5):
        kernel = rng.normal(size=(size, size))
        for r in range(4):
            p = np.asarray(ex.tap_rotation_matrix(r, kernel_size=size))
            expect_equal(
                p.shape,
                (size * size,) * 2,
                f"tap_rotation_matrix({r}, kernel_size={size}) should be ({size}², {size}²)",
            )
            expect_close(
                p @ kernel.ravel(),
                np.rot90(kernel, r).ravel(),
                f"P_{r} @ kernel.ravel() should be np.rot90(kernel, {r}).ravel(): the {size}×{size} kernel "
                f"turned {90 * r}° counter-clockwise, flattened row-major",
                tol=1e-12,
            )
    for r in range(4):
        expect_equal(
            np.asarray(ex.tap_rotation_matrix(r)).argmax(axis=1),
            filter_bank_indices("C4", 3, 1)[r].ravel(),
            f"P_{r} should pick the taps symkeras' C4 filter bank picks for r^{r}",
        )


@pytest.mark.points(1)
def test_tap_rotations_form_a_group(ex):
    p = [np.asarray(ex.tap_rotation_matrix(r)) for r in range(4)]
    expect_equal(p[0], np.eye(9), "P_0 should be the 9×9 identity")
    for a in range(4):
        for b in range(4):
            expect_equal(p[a] @ p[b], p[(a + b) % 4], f"P_{a} P_{b} should be P_{(a + b) % 4}")
    expect_equal(p[1].T @ p[1], np.eye(9), "P_1 should be a permutation matrix (P_1ᵀ P_1 = I)")
