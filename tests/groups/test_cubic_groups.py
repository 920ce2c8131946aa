"""The cube's symmetry groups O (24) and Oh (48): axioms, matrices, and actions on volumes and fields checked against
an independent point-by-point definition."""

import itertools

import numpy as np
import pytest

from symkeras import groups as G

CUBIC = [G.O, G.Oh]
SIZES = [(3, 3, 3), (4, 4, 4), (3, 4, 5)]
SIZE_IDS = ["odd", "even", "non-cubic"]


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
def test_group_axioms(group):
    table = group.cayley_table()
    n = group.order
    assert table.shape == (n, n)
    assert all(sorted(row) == list(range(n)) for row in table)
    assert all(sorted(col) == list(range(n)) for col in table.T)
    e = group.identity
    for g in group.elements:
        assert group.compose(e, g) == g == group.compose(g, e)
        assert group.compose(g, group.inverse(g)) == e == group.compose(group.inverse(g), g)
    a, b, c = np.meshgrid(*(np.arange(n),) * 3, indexing="ij")  # associativity for all n³ triples at once
    np.testing.assert_array_equal(table[table[a, b], c], table[a, table[b, c]])


def test_elements_are_the_signed_permutation_matrices():
    signed = {
        m.tobytes()
        for m in (
            np.diag(s)[:, list(p)]
            for p in itertools.permutations(range(3))
            for s in itertools.product((1, -1), repeat=3)
        )
    }
    assert len(signed) == 48
    assert {G.Oh.matrix(g).tobytes() for g in G.Oh.elements} == signed
    assert [round(np.linalg.det(G.O.matrix(g))) for g in G.O.elements] == [1] * 24
    # O is the first half of Oh, element for element; element g + 24 of Oh is g composed with the inversion.
    for g in G.O.elements:
        np.testing.assert_array_equal(G.Oh.matrix(g), G.O.matrix(g))
        np.testing.assert_array_equal(G.Oh.matrix(g + 24), -G.O.matrix(g))
    for a, b in itertools.product(G.O.elements, repeat=2):
        assert G.Oh.compose(a, b) == G.O.compose(a, b)
        np.testing.assert_array_equal(G.O.matrix(G.O.compose(a, b)), G.O.matrix(a) @ G.O.matrix(b))


def test_rotation_classes_and_names():
    names = G.O.element_names()
    assert len(set(names)) == 24 and names[0] == "e"
    counts = {angle: sum(n.startswith(f"r{angle}[") for n in names) for angle in (90, 120, 180)}
    assert counts == {90: 6, 120: 8, 180: 9}  # face axes ±90° (6), body diagonals (8), face and edge axes 180° (9)
    assert G.Oh.element_name(24) == "i" and len(set(G.Oh.element_names())) == 48
    assert G.O.describe(1) == "rotate 90° about the (depth, height, width) axis (1, 0, 0)"
    assert G.Oh.describe(24) == "invert through the centre"
    for g in G.O.elements:  # a 90° rotation has order 4, 120° order 3, 180° order 2
        m, power, order = G.O.matrix(g), np.eye(3, dtype=int), 0
        while True:
            power, order = m @ power, order + 1
            if (power == np.eye(3)).all():
                break
        assert order == {"e": 1, "r90": 4, "r120": 3, "r180": 2}[names[g].split("[")[0]]


def _reference_volume_action(group, x, g):
    """Independent definition, voxel by voxel: y(p) = x(R⁻¹p) on centred coordinates."""
    m = group.matrix(g)
    shape = np.array(x.shape[1:4])
    out_shape = tuple(int(n) for n in np.abs(m) @ shape)
    y = np.empty((x.shape[0], *out_shape, x.shape[4]), x.dtype)
    for p in np.ndindex(*out_shape):
        q = m.T @ (np.array(p) - (np.array(out_shape) - 1) / 2) + (shape - 1) / 2
        y[(slice(None), *p)] = x[(slice(None), *np.round(q).astype(int))]
    return y


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_act_on_volume_matches_the_voxel_definition_and_is_an_action(group, size, rng):
    x = rng.normal(size=(2, *size, 2))
    for g in group.elements:
        np.testing.assert_array_equal(group.act_on_volume(x, g), _reference_volume_action(group, x, g))
    moved = {g: group.act_on_volume(x, g) for g in group.elements}
    for g, h in itertools.product(group.elements, repeat=2):
        np.testing.assert_array_equal(group.act_on_volume(moved[h], g), moved[group.compose(g, h)])


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
def test_act_on_field_moves_volume_and_permutes_group_axis(group, rng):
    """[g·f](p, c, h) = f(R_g⁻¹p, c, g⁻¹h), with explicit indices; and it is an action."""
    x = rng.normal(size=(1, 2, 3, 4, 2 * group.order))
    for g in group.elements:
        got = G.split_group_axis(group.act_on_field(x, g), group)
        moved = G.split_group_axis(_reference_volume_action(group, x, g), group)
        for h in group.elements:
            np.testing.assert_array_equal(got[..., h], moved[..., group.compose(group.inverse(g), h)])
    for g, h in itertools.product(group.elements[::5], repeat=2):
        np.testing.assert_array_equal(
            group.act_on_field(group.act_on_field(x, h), g), group.act_on_field(x, group.compose(g, h))
        )


def test_actions_on_backend_tensors_match_numpy(rng):
    from keras import ops

    x = rng.normal(size=(2, 3, 4, 5, 2 * 48)).astype("float32")
    for g in G.Oh.elements:
        np.testing.assert_array_equal(
            ops.convert_to_numpy(G.Oh.act_on_field(ops.convert_to_tensor(x), g)), G.Oh.act_on_field(x, g)
        )
    np.testing.assert_array_equal(G.act_on_volume(x, 5, "O"), G.O.act_on_image(x, 5))


def test_names_resolve_by_dimension_with_fix_it_errors():
    assert G.get("o") is G.O and G.get("OH") is G.Oh and G.get(G.Oh, spatial_dims=3) is G.Oh
    assert G.get("D4", spatial_dims=2) is G.D4
    with pytest.raises(
        ValueError,
        match=r"O acts on volumes \(3-D\), but this needs a group acting on images "
        r"\(2-D\): use one of 'trivial', .*'D4', or the 3-D layer\. "
        r"Received: group='O'",
    ):
        G.get("O", spatial_dims=2)
    with pytest.raises(ValueError, match=r"C4 acts on images \(2-D\).*use one of 'O', 'Oh'"):
        G.get(G.C4, spatial_dims=3)
    with pytest.raises(ValueError, match=r"Unknown group\. Use one of 'O', 'Oh' or a symkeras\.groups\.CubicGroup"):
        G.get("T", spatial_dims=3)
    with pytest.raises(ValueError, match=r"O has elements 0\.\.23\. Received: g=24"):
        G.O.matrix(24)
