import numpy as np
import pytest
from keras import ops

from symkeras.grading import expect_close
from symkeras.groups import O3, EuclideanGroup
from symkeras.layers import squared_distances


def _cloud(seed=0, batch=2, n=5):
    return np.random.default_rng(seed).normal(size=(batch, n, 3))


def _springs(x):
    """Exactly equivariant forces of unit springs between every pair of points."""
    r = x[:, :, None] - x[:, None]
    d = np.linalg.norm(r, axis=-1, keepdims=True) + np.eye(x.shape[1])[..., None]
    return -np.sum((d - 1) * r / d, axis=2)


@pytest.mark.points(2)
def test_squared_distances_match_the_library_and_are_invariant(ex):
    x = _cloud()
    got = np.asarray(ex.squared_distances(x), np.float64)
    assert got.shape == (2, 5, 5, 1), (
        f"positions (2, 5, 3) should give one squared distance per pair: shape (2, 5, 5, 1); got {got.shape}"
    )
    expect_close(
        got,
        ops.convert_to_numpy(squared_distances(x)),
        "d[b, i, j, 0] should be |x_i − x_j|², the SQUARED length of the difference of two points of the same cloud",
        tol=1e-10,
    )
    group = EuclideanGroup(reflections=True, translations=True)
    for g in (1, 2):
        moved = group.act_on_points(x, g)
        expect_close(
            np.asarray(ex.squared_distances(moved), np.float64),
            got,
            f"rotating, mirroring or translating the cloud ({group.element_name(g)}) must not change the edge features",
            tol=1e-9,
        )


@pytest.mark.points(3)
def test_force_equivariance_error_is_zero_for_exact_forces_and_large_otherwise(ex):
    x = _cloud(1)
    for g in (1, 2):  # a reflection, then a rotation
        error = ex.force_equivariance_error(_springs, x, O3.matrix(g))
        assert isinstance(error, float), f"return a Python float; got {type(error).__name__}"
        assert error < 1e-12, (
            f"spring forces turn with the atoms exactly, so F(x Rᵀ) = F(x) Rᵀ and the error should be ~0 "
            f"(R = {O3.element_name(g)}); got {error:.3g}"
        )
    constant = ex.force_equivariance_error(lambda p: np.ones_like(p) * [1.0, 2.0, 3.0], x, O3.matrix(2))
    rotated = np.ones((1, 1, 3)) * [1.0, 2.0, 3.0] @ O3.matrix(2).T
    expected = float(np.max(np.abs([1.0, 2.0, 3.0] - rotated)) / np.max(np.abs(rotated)))
    expect_close(
        constant,
        expected,
        "a force field that ignores the rotation (always (1, 2, 3)) should score max|F(x Rᵀ) − F(x) Rᵀ| / "
        "max|F(x) Rᵀ|: compare with the ROTATED forces and divide by their largest entry",
        tol=1e-9,
    )


@pytest.mark.points(1)
def test_force_equivariance_error_is_relative(ex):
    x, r = _cloud(2), O3.matrix(2)

    def bent(p):
        return _springs(p) + 0.1 * p**2  # not equivariant

    small = ex.force_equivariance_error(bent, x, r)
    large = ex.force_equivariance_error(lambda p: 1000.0 * bent(p), x, r)
    assert small > 1e-3, f"forces plus 0.1·x² do not turn with the atoms; the error should be visible, got {small:.3g}"
    expect_close(large, small, "scaling the forces by 1000 must not change a RELATIVE error", tol=1e-9)
