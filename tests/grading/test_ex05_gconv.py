import numpy as np
import pytest
from keras import ops

from symkeras.equivariance import check_invariance
from symkeras.grading import expect_close, expect_equal, relative_error
from symkeras.layers import GroupPooling, expand_filter_bank


@pytest.mark.points(2)
def test_lifting_filter_bank_matches_symkeras(ex, rng):
    kernel = rng.normal(size=(3, 3, 2, 5))
    bank = ex.lifting_filter_bank(kernel)
    expect_equal(np.shape(bank), (3, 3, 2, 20), "lifting_filter_bank of (3, 3, 2, 5) filters should be (3, 3, 2, 4·5)")
    for o in range(5):
        for t in range(4):
            error = relative_error(bank[..., o * 4 + t], np.rot90(kernel[..., o], t, axes=(0, 1)))
            assert error <= 1e-12, (
                f"output channel o·4 + t = {o * 4 + t} should hold filter o = {o} turned by "
                f"t·90° = {90 * t}° counter-clockwise; measured relative error {error:.1e} > "
                f"tolerance 1e-12"
            )
    expect_close(bank, expand_filter_bank(kernel, "C4", lifting=True), "the bank should match symkeras'", tol=1e-12)


@pytest.mark.points(3)
def test_group_filter_bank_matches_symkeras(ex, rng):
    for k in (3, 4):
        kernel = rng.normal(size=(k, k, 3 * 4, 2))
        bank = ex.group_filter_bank(kernel)
        expect_equal(
            np.shape(bank),
            (k, k, 12, 8),
            f"group_filter_bank of ({k}, {k}, 12, 2) filters should be ({k}, {k}, 12, 4·2)",
        )
        for o in range(2):
            for t in range(4):
                for c in range(3):
                    for s in range(4):
                        want = np.rot90(kernel[:, :, c * 4 + (s - t) % 4, o], t)
                        error = relative_error(bank[:, :, c * 4 + s, o * 4 + t], want)
                        assert error <= 1e-12, (
                            f"{k}×{k}: bank[:, :, {c * 4 + s}, {o * 4 + t}] (input field {c} slot s = {s}, filter "
                            f"{o} orientation t = {t}) should be stored slot (s − t) mod 4 = {(s - t) % 4} turned "
                            f"{90 * t}° counter-clockwise; measured relative error {error:.1e} > tolerance 1e-12"
                        )
        expect_close(
            bank,
            expand_filter_bank(kernel, "C4", lifting=False),
            f"{k}×{k}: the bank should match symkeras'",
            tol=1e-12,
        )


@pytest.mark.points(2)
def test_orientation_pool_is_group_pooling_and_invariant(ex, rng):
    field = rng.normal(size=(2, 5, 5, 3 * 4))
    for reduction in ("max", "mean"):
        expected = ops.convert_to_numpy(GroupPooling("C4", reduction=reduction, dtype="float64")(field))
        expect_close(
            ex.orientation_pool(field, reduction),
            expected,
            f"orientation_pool(field, {reduction!r}) should take the {reduction} over the 4 orientations "
            f"of each field (channels c·4 … c·4 + 3)",
            tol=1e-12,
        )
    check_invariance(lambda f: ex.orientation_pool(f, "max").sum(axis=(1, 2)), "C4", field, in_action="field")
