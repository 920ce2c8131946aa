"""equivariance_error measures, check_equivariance / check_invariance judge — and fail with a readable table."""

import numpy as np
import pytest

from symkeras import groups as G
from symkeras.equivariance import TOLERANCES, check_equivariance, check_invariance, equivariance_error


def test_pointwise_map_is_equivariant_with_zero_error(rng):
    x = rng.normal(size=(2, 6, 5, 3))
    report = check_equivariance(np.tanh, "D4", x, in_action="image", out_action="image")
    assert report.errors == {g: 0.0 for g in G.D4.elements}
    assert report.tolerance == TOLERANCES["float64"] and report.dtype == "float64"


def test_position_dependent_map_fails_with_a_table_naming_the_elements(rng):
    x = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    ramp = np.arange(6, dtype="float32")[None, :, None, None]

    def biased(x):
        return x + ramp  # a bias that grows down the image: not rotation-equivariant

    report = equivariance_error(biased, G.C4, x, in_action="image", out_action="image")
    assert report.errors[0] == 0.0 and min(report.errors[g] for g in (1, 2, 3)) > 0.1
    with pytest.raises(AssertionError) as info:
        check_equivariance(biased, "C4", x, in_action="image", out_action="image")
    message = str(info.value)
    assert "Not C4-equivariant: transforming the input should move the output image the same way" in message
    assert "3 of 4 elements are over the float32 tolerance 1e-05" in message
    for name in ("r ", "r2", "r3"):
        assert name in message
    assert "\n  e " not in message  # only failing elements are listed


def test_invariance_of_global_sum_and_failure_of_a_corner_pixel(rng):
    x = rng.normal(size=(3, 5, 5, 2))
    check_invariance(lambda x: x.sum(axis=(1, 2)), "D4", x)
    with pytest.raises(AssertionError, match=r"Not D4-invariant: .* off by"):
        check_invariance(lambda x: x[:, 0, 0], "D4", x)


def test_tolerance_override_and_set_action(rng):
    x = rng.normal(size=(2, 4, 3))
    check_equivariance(lambda x: x * 2, G.SymmetricGroup(4), x, in_action="set", out_action="set")
    noisy = lambda x: x + 1e-9 * np.arange(4)[None, :, None]  # noqa: E731
    with pytest.raises(AssertionError):
        check_equivariance(noisy, G.SymmetricGroup(4), x, in_action="set", out_action="set")
    check_equivariance(noisy, G.SymmetricGroup(4), x, in_action="set", out_action="set", tolerance=1e-6)


def test_unknown_action_and_shape_mismatch_are_explained(rng):
    x = rng.normal(size=(1, 4, 4, 4))
    with pytest.raises(ValueError, match="C4 has no action 'set'"):
        equivariance_error(np.tanh, "C4", x, in_action="set")
    with pytest.raises(AssertionError, match="cannot transform as 'image'"):
        equivariance_error(lambda x: x[:, :, :2], "C4", x, in_action="image", out_action="image")


def test_an_out_action_that_does_not_fit_the_output_is_named(rng):
    """A C4 field pooled to 2 plain channels, checked as if it were still a field: the message is about the action."""
    x = rng.normal(size=(1, 4, 4, 8))

    def pooled(v):
        return G.split_group_axis(v, "C4").max(-1)

    with pytest.raises(
        ValueError,
        match=r"out_action='field' cannot act on the output fn\(x\) of shape "
        r"\(1, 4, 4, 2\): act_on_field over C4 needs input channels = fields·4.*Choose the out_action "
        r"that describes the output fn\(x\): 'image'.*'trivial'",
    ):
        check_equivariance(pooled, "C4", x, in_action="field", out_action="field")
    with pytest.raises(ValueError, match=r"in_action='field' cannot act on the input x of shape \(1, 4, 4, 3\)"):
        check_equivariance(np.tanh, "C4", x[..., :3], in_action="field", out_action="field")
    check_equivariance(pooled, "C4", x, in_action="field", out_action="image")


def test_large_symmetric_groups_are_sampled_including_generators(rng):
    x = rng.normal(size=(2, 12, 3))
    report = check_invariance(lambda v: v.sum(axis=1), G.SymmetricGroup(12), x, in_action="set", samples=20)
    assert report.sampled and len(report.errors) == 20 and report.group_order == 479_001_600
    assert set(G.SymmetricGroup(12).generators()) <= set(report.errors)
    assert len(check_invariance(lambda v: v.sum(axis=1), G.SymmetricGroup(7), x[:, :7], in_action="set").errors) == 5040
