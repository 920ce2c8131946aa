import numpy as np
import pytest
from keras import ops

from symkeras.equivariance import check_equivariance, check_invariance
from symkeras.groups import SymmetricGroup
from symkeras.layers import PermutationEquivariantDense


@pytest.mark.points(2)
def test_perm_equivariant_linear_matches_the_library_and_is_equivariant(ex):
    rng = np.random.default_rng(2)
    x, lam, gam = rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    layer = PermutationEquivariantDense(5, use_bias=False, dtype="float64")
    layer.build((None, 4, 3))
    layer.set_weights([lam, gam])
    np.testing.assert_allclose(ex.perm_equivariant_linear(x, lam, gam), ops.convert_to_numpy(layer(x)), rtol=1e-10)
    check_equivariance(lambda v: ex.perm_equivariant_linear(v, lam, gam), SymmetricGroup(4), x, "set", "set")


@pytest.mark.points(3)
def test_deep_sets_model_is_invariant_for_any_set_size(ex):
    model = ex.deep_sets(3, hidden=16, outputs=2)
    rng = np.random.default_rng(3)
    for n in (4, 5):
        x = rng.normal(size=(2, n, 3)).astype("float32")
        assert tuple(model(x).shape) == (2, 2), "output must be (batch, outputs)"
        check_invariance(model, SymmetricGroup(n), x, in_action="set")
    assert model.count_params() > 3 * 16, "φ and ρ should have trainable weights"
