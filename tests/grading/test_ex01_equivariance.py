import itertools

import numpy as np
import pytest

from symkeras import groups
from symkeras.grading import expect_close
from symkeras.layers import GroupPooling, LiftingConv2D


@pytest.mark.points(2)
def test_rot90_field_is_the_c4_action(ex, rng):
    x = rng.normal(size=(2, 5, 5, 3 * 4))
    for k in range(4):
        expect_close(
            ex.rot90_field(x, k),
            groups.C4.act_on_field(x, k),
            f"rot90_field(x, {k}) should turn every map {90 * k}° counter-clockwise and cycle the orientation "
            f"axis by {k} (channel c·4 + h moves to c·4 + (h + {k}) mod 4)",
            tol=1e-12,
        )
    for a, b in itertools.product(range(4), repeat=2):
        expect_close(
            ex.rot90_field(ex.rot90_field(x, b), a),
            ex.rot90_field(x, (a + b) % 4),
            f"rot90_field is not a group action: r^{a} after r^{b} should be r^{(a + b) % 4}",
            tol=1e-12,
        )


def _accepts(ex, table) -> object:
    return ex.satisfies_group_axioms(np.array(table))


@pytest.mark.points(2)
def test_group_axioms_accept_groups_and_reject_non_groups(ex):
    for g in (groups.C4, groups.D4, groups.trivial, groups.SymmetricGroup(3)):
        got = _accepts(ex, g.cayley_table())
        assert got is True, f"the Cayley table of {g.name} is a group with identity 0: expected True, got {got!r}"
    c4 = groups.C4.cayley_table()
    not_closed = c4.copy()
    not_closed[1, 1] = 7
    negative = c4.copy()
    negative[1, 1] = -2  # NumPy indexing would quietly read -2 as element 2
    loop = [[0, 1, 2, 3, 4], [1, 0, 3, 4, 2], [2, 4, 0, 1, 3], [3, 2, 4, 0, 1], [4, 3, 1, 2, 0]]
    cases = [
        ("not closed: C4's table with 1∘1 = 7, which is not an element 0..3", not_closed),
        ("not closed: C4's table with 1∘1 = −2, which is not an element 0..3", negative),
        ("without identity: (a + b + 1) mod 4", (c4 + 1) % 4),
        ("without inverses: row 1 is [1, 1, 1], so no b has 1∘b = 0", [[0, 1, 2], [1, 1, 1], [2, 1, 2]]),
        ("not associative: a Latin square with identity 0 (the smallest loop that is not a group)", loop),
        (
            "a∘b = b: 0∘b = b, but a∘0 = 0 ≠ a, so 0 is only a LEFT identity (and no a ≠ 0 has b∘a = 0)",
            [[0, 1, 2], [0, 1, 2], [0, 1, 2]],
        ),
        ("a∘b = a: a∘0 = a, but 0∘b = 0 ≠ b, so 0 is only a RIGHT identity", [[0, 0, 0], [1, 1, 1], [2, 2, 2]]),
        ("a group whose identity is 1, not 0", [[1, 0], [0, 1]]),
        ("not square: the first 3 rows of C4's table", c4[:3]),
    ]
    for name, table in cases:
        got = _accepts(ex, table)
        assert got is False, f"satisfies_group_axioms should reject a table that is {name}; got {got!r}"


@pytest.mark.points(2)
def test_is_equivariant_tells_equivariant_from_not(ex, rng):
    x = rng.normal(size=(2, 9, 9, 1)).astype("float32")
    lifting = LiftingConv2D(2, 3, group="D4")
    ramp = np.linspace(0, 1, 9, dtype="float32")[None, :, None, None]
    cases = [  # (what f does, f, group, in_action, out_action, expected answer)
        ("a D4 lifting convolution (image → field)", lifting, groups.D4, "image", "field", True),
        (
            "a D4 lifting convolution then group pooling (image → image)",
            lambda v: GroupPooling("D4")(lifting(v)),
            groups.D4,
            "image",
            "image",
            True,
        ),
        (
            "a sum over the pixels (image → invariant)",
            lambda v: v.sum(axis=(1, 2)),
            groups.D4,
            "image",
            "trivial",
            True,
        ),
        (
            "a D4 lifting convolution with outputs of size ~1e5: float32 round-off is ~1e-2 in absolute terms but "
            "~1e-7 relative, and tol is a RELATIVE error",
            lambda v: 1e5 * lifting(v),
            groups.D4,
            "image",
            "field",
            True,
        ),
        ("a multiplication by a ramp (image → image)", lambda v: v * ramp, groups.C4, "image", "image", False),
        (
            "a multiplication by a ramp, with outputs of size ~1e-8: relative to max|g·f(x)| the error is ~1, "
            "not ~1e-8",
            lambda v: 1e-8 * v * ramp,
            groups.C4,
            "image",
            "image",
            False,
        ),
        (
            "reading the top-left pixel (image → 'invariant')",
            lambda v: v[:, 0, 0],
            groups.C4,
            "image",
            "trivial",
            False,
        ),
        (
            "a turn by 90°: it commutes with the rotations but not with the mirror flips of D4",
            lambda v: np.rot90(v, 1, axes=(1, 2)),
            groups.D4,
            "image",
            "image",
            False,
        ),
        (
            "a turn by 90°, for C4 (rotations only)",
            lambda v: np.rot90(v, 1, axes=(1, 2)),
            groups.C4,
            "image",
            "image",
            True,
        ),
    ]
    for what, f, group, in_action, out_action, expected in cases:
        got = ex.is_equivariant(f, group, x, in_action, out_action)
        assert got is expected, (
            f"is_equivariant(f, {group.name}, x, {in_action!r}, {out_action!r}) should be "
            f"{expected} for f = {what}; got {got!r}"
        )
