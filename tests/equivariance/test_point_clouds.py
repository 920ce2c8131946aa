"""check_equivariance on point clouds: positions move, per-point scalars only permute, forces rotate without
translating; pairs of arrays in and out; failures name the element."""

import numpy as np
import pytest

from symkeras.equivariance import check_equivariance, check_invariance, equivariance_error
from symkeras.groups import E3, O3, EuclideanGroup


def _spring_forces(x):
    """Exact pairwise forces of unit springs: F_i = Σ_j (|r_ij| − 1) (x_j − x_i)/|r_ij| (rotation-equivariant)."""
    r = x[:, :, None] - x[:, None]
    d = np.linalg.norm(r, axis=-1, keepdims=True) + np.eye(x.shape[1])[..., None]
    return -np.sum((d - 1) * r / d, axis=2)


X = np.random.default_rng(0).normal(size=(3, 6, 3))
FULL = EuclideanGroup(reflections=True, translations=True, atoms=6)


def test_exact_forces_pass_and_their_energy_is_invariant():
    report = check_equivariance(_spring_forces, FULL, X, "points", "vectors", samples=10)
    assert report.max_error < 1e-12 and report.coverage() == "10 seeded random elements (identity included)"
    check_invariance(lambda x: _spring_forces(x).__pow__(2).sum(axis=(1, 2)), FULL, X, in_action="points")


def test_translating_the_forces_is_an_error():
    """Forces are vectors: the 'points' action (which translates) is the wrong one for them, and the check says so."""
    report = equivariance_error(_spring_forces, E3, X, "points", "points", samples=4)
    assert report.max_error > 0.1


def test_pairs_in_and_out():
    def layer(inputs):
        h, x = inputs
        return [h * 2, x + 0.1 * _spring_forces(x)]

    h = np.random.default_rng(1).normal(size=(3, 6, 2))
    check_equivariance(layer, FULL, (h, X), "points", "points", samples=5)
    with pytest.raises(AssertionError, match=r"(?s)Not E\(3\)×S6-equivariant.*g1: reflection"):
        check_equivariance(lambda hx: [hx[0], hx[1] ** 2], FULL, (h, X), "points", "points", samples=3)


def test_a_field_that_ignores_rotations_fails_with_a_table():
    with pytest.raises(
        AssertionError, match=r"rotate and permute the output's per-point vectors.*over the float64 tolerance"
    ):
        check_equivariance(lambda x: np.ones_like(x), O3, X, "points", "vectors", samples=3)
    with pytest.raises(ValueError, match=r"'points' \(batch, n, 3\) or \(h, x\)"):
        check_equivariance(lambda x: x, O3, np.zeros((2, 4, 2)), "points", "points")
