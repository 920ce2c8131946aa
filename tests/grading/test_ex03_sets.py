import numpy as np
import pytest
from keras import ops

from symkeras.equivariance import check_equivariance, check_invariance
from symkeras.grading import expect_close
from symkeras.groups import SymmetricGroup
from symkeras.layers import PermutationEquivariantDense


@pytest.mark.points(2)
def test_perm_equivariant_linear_matches_the_library_and_is_equivariant(ex):
    rng = np.random.default_rng(2)
    x, lam, gam = rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    layer = PermutationEquivariantDense(5, use_bias=False, dtype="float64")
    layer.build((None, 4, 3))
    layer.set_weights([lam, gam])
    expect_close(
        ex.perm_equivariant_linear(x, lam, gam),
        ops.convert_to_numpy(layer(x)),
        "y_i = x_i Λ + mean_j(x_j) Γ (the mean over the n set elements, axis 1) should match "
        "PermutationEquivariantDense",
        tol=1e-10,
    )
    check_equivariance(lambda v: ex.perm_equivariant_linear(v, lam, gam), SymmetricGroup(4), x, "set", "set")


def _relu(v):
    return np.maximum(v, 0.0)


@pytest.mark.points(3)
def test_deep_sets_model_is_invariant_for_any_set_size(ex):
    model = ex.deep_sets(3, hidden=16, outputs=2)
    shapes = [tuple(w.shape) for w in model.weights]
    expected_shapes = [(3, 16), (16,), (16, 16), (16,), (16, 2), (2,)]
    assert shapes == expected_shapes, (
        f"deep_sets(3, hidden=16, outputs=2) should hold three Dense layers — φ = Dense(16, ReLU) on each element, "
        f"ρ = Dense(16, ReLU) then Dense(2) — with weights of shapes {expected_shapes}; found {shapes}"
    )
    phi_w, phi_b, rho_w, rho_b, out_w, out_b = (np.asarray(ops.convert_to_numpy(w), np.float64) for w in model.weights)
    rng = np.random.default_rng(3)
    for n in (4, 5):
        x = rng.normal(size=(2, n, 3)).astype("float32")
        y = model(x)
        assert tuple(y.shape) == (2, 2), f"a batch of 2 sets of {n} elements should give (2, 2); got {tuple(y.shape)}"
        pooled = _relu(x.astype(np.float64) @ phi_w + phi_b).sum(axis=1)  # Σ_i φ(x_i)
        expected = _relu(pooled @ rho_w + rho_b) @ out_w + out_b
        expect_close(
            ops.convert_to_numpy(y),
            expected,
            f"on sets of {n} elements the model should compute ρ(Σ_i φ(x_i)) with its own weights: φ = ReLU "
            f"applied to each element, then a SUM over the set (not a mean or max), then ρ",
            tol=1e-4,
        )
        check_invariance(model, SymmetricGroup(n), x, in_action="set")
