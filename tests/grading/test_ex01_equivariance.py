import itertools

import numpy as np
import pytest

from symkeras import groups
from symkeras.layers import GroupPooling, LiftingConv2D


@pytest.mark.points(2)
def test_rot90_field_is_the_c4_action(ex, rng):
    x = rng.normal(size=(2, 5, 5, 3 * 4))
    for k in range(4):
        np.testing.assert_array_equal(ex.rot90_field(x, k), groups.C4.act_on_field(x, k),
                                      err_msg=f"r^{k}: the maps must rotate and the orientation axis cycle by {k}")
    for a, b in itertools.product(range(4), repeat=2):
        assert np.array_equal(ex.rot90_field(ex.rot90_field(x, b), a), ex.rot90_field(x, (a + b) % 4)), \
            "rot90_field is not a group action"


@pytest.mark.points(2)
def test_group_axioms_accept_groups_and_reject_non_groups(ex):
    for g in (groups.C4, groups.D4, groups.trivial, groups.SymmetricGroup(3)):
        assert ex.satisfies_group_axioms(g.cayley_table()) is True, f"{g.name} is a group"
    not_closed = groups.C4.cayley_table().copy()
    not_closed[1, 1] = 7
    no_identity = (groups.C4.cayley_table() + 1) % 4
    no_inverse = np.array([[0, 1, 2], [1, 1, 1], [2, 1, 2]])
    # A Latin square with identity 0 that is not associative (the smallest loop that is not a group).
    loop = np.array([[0, 1, 2, 3, 4], [1, 0, 3, 4, 2], [2, 4, 0, 1, 3], [3, 2, 4, 0, 1], [4, 3, 1, 2, 0]])
    for name, table in [("not closed", not_closed), ("no identity", no_identity), ("no inverse", no_inverse),
                        ("not associative", loop)]:
        assert ex.satisfies_group_axioms(table) is False, f"accepted a table that is {name}"


@pytest.mark.points(2)
def test_is_equivariant_tells_equivariant_from_not(ex, rng):
    x = rng.normal(size=(2, 9, 9, 1)).astype("float32")
    lifting = LiftingConv2D(2, 3, group="D4")
    assert ex.is_equivariant(lifting, groups.D4, x, "image", "field") is True, "a lifting conv is equivariant"
    assert ex.is_equivariant(lambda v: GroupPooling("D4")(lifting(v)), groups.D4, x, "image", "image") is True
    ramp = np.linspace(0, 1, 9, dtype="float32")[None, :, None, None]
    assert ex.is_equivariant(lambda v: v * ramp, groups.C4, x, "image", "image") is False, \
        "multiplying by a ramp is not rotation-equivariant"
    assert ex.is_equivariant(lambda v: v.sum(axis=(1, 2)), groups.D4, x, "image", "trivial") is True
    assert ex.is_equivariant(lambda v: v[:, 0, 0], groups.C4, x, "image", "trivial") is False
