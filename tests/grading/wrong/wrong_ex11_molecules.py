"""Plausible wrong answers to exercise 11 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "squared_distances": ["test_squared_distances_match_the_library_and_are_invariant"],
    "force_equivariance_error": [
        "test_force_equivariance_error_is_zero_for_exact_forces_and_large_otherwise",
        "test_force_equivariance_error_is_relative",
    ],
}


def squared_distances__distances_not_squared(x):
    """Returns |x_i − x_j| where the exercise asks for its square."""
    r = x[:, :, None, :] - x[:, None, :, :]
    return np.sqrt(np.sum(r * r, axis=-1, keepdims=True))


def squared_distances__dot_products(x):
    """Uses the dot products x_i · x_j: invariant under rotations, but not under translations."""
    return np.einsum("bik,bjk->bij", x, x)[..., None]


def squared_distances__no_feature_axis(x):
    """Drops the trailing feature axis: returns (B, n, n) instead of (B, n, n, 1)."""
    r = x[:, :, None, :] - x[:, None, :, :]
    return np.sum(r * r, axis=-1)


def force_equivariance_error__invariance_not_equivariance(forces_fn, x, rotation):
    """Compares F(x Rᵀ) with F(x), as if forces were invariant like the energy."""
    got = np.asarray(forces_fn(x @ rotation.T))
    want = np.asarray(forces_fn(x))
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


def force_equivariance_error__rotates_the_wrong_way(forces_fn, x, rotation):
    """Rotates the input by R (x Rᵀ) but the output by R⁻¹ (F R)."""
    got = np.asarray(forces_fn(x @ rotation.T))
    want = np.asarray(forces_fn(x)) @ rotation
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


def force_equivariance_error__absolute_error(forces_fn, x, rotation):
    """Returns max|F(x Rᵀ) − F(x) Rᵀ| without dividing by the size of the forces."""
    got = np.asarray(forces_fn(x @ rotation.T))
    want = np.asarray(forces_fn(x)) @ rotation.T
    return float(np.max(np.abs(got - want)))
