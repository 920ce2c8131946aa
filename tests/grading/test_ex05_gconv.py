import numpy as np
import pytest
from keras import ops

from symkeras.equivariance import check_invariance
from symkeras.layers import GroupPooling, expand_filter_bank


@pytest.mark.points(2)
def test_lifting_filter_bank_matches_symkeras(ex, rng):
    kernel = rng.normal(size=(3, 3, 2, 5))
    np.testing.assert_array_equal(ex.lifting_filter_bank(kernel), expand_filter_bank(kernel, "C4", lifting=True),
                                  err_msg="channel o·4 + t must hold filter o rotated by t·90°")


@pytest.mark.points(3)
def test_group_filter_bank_matches_symkeras(ex, rng):
    for k in (3, 4):
        kernel = rng.normal(size=(k, k, 3 * 4, 2))
        np.testing.assert_array_equal(ex.group_filter_bank(kernel), expand_filter_bank(kernel, "C4", lifting=False),
                                      err_msg=f"{k}×{k}: rotate by t and take input slot (s − t) mod 4")


@pytest.mark.points(2)
def test_orientation_pool_is_group_pooling_and_invariant(ex, rng):
    field = rng.normal(size=(2, 5, 5, 3 * 4))
    for reduction in ("max", "mean"):
        expected = ops.convert_to_numpy(GroupPooling("C4", reduction=reduction, dtype="float64")(field))
        np.testing.assert_allclose(ex.orientation_pool(field, reduction), expected, rtol=1e-12)
    check_invariance(lambda f: ex.orientation_pool(f, "max").sum(axis=(1, 2)), "C4", field, in_action="field")
