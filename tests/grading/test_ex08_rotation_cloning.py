import numpy as np
import pytest

from symkeras.layers import filter_bank_indices


@pytest.mark.points(2)
def test_tap_rotation_matrix_rotates_kernels(ex, rng):
    kernel = rng.normal(size=(3, 3))
    for r in range(4):
        p = ex.tap_rotation_matrix(r)
        np.testing.assert_allclose(p @ kernel.ravel(), np.rot90(kernel, r).ravel(), err_msg=f"r={r}")
        np.testing.assert_array_equal(p.argmax(axis=1), filter_bank_indices("C4", 3, 1)[r].ravel())


@pytest.mark.points(1)
def test_tap_rotations_form_a_group(ex):
    p = [ex.tap_rotation_matrix(r) for r in range(4)]
    np.testing.assert_array_equal(p[0], np.eye(9))
    for a in range(4):
        for b in range(4):
            np.testing.assert_array_equal(p[a] @ p[b], p[(a + b) % 4], err_msg="P_a P_b must be P_(a+b)")
    assert ex.tap_rotation_matrix(1, kernel_size=5).shape == (25, 25)
