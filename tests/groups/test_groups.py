"""Group axioms, and that every action is a group action matching an independent NumPy definition."""

import itertools

import numpy as np
import pytest

from symkeras import groups as G

PLANAR = [G.trivial, G.C2, G.C4, G.D1, G.D2, G.D4]
ALL = PLANAR + [G.SymmetricGroup(3), G.SymmetricGroup(4)]


@pytest.mark.parametrize("group", ALL, ids=lambda g: g.name)
def test_group_axioms(group):
    table = group.cayley_table()
    n = group.order
    assert table.shape == (n, n)
    # closure, and a Latin square: each element once per row and column
    assert all(sorted(row) == list(range(n)) for row in table)
    assert all(sorted(col) == list(range(n)) for col in table.T)
    e = group.identity
    for g in group.elements:
        assert group.compose(e, g) == g == group.compose(g, e)
        assert group.compose(g, group.inverse(g)) == e == group.compose(group.inverse(g), g)
    for a, b, c in itertools.product(group.elements, repeat=3):
        assert group.compose(group.compose(a, b), c) == group.compose(a, group.compose(b, c))


def test_c4_is_cyclic_and_d4_is_not_abelian():
    r = 1
    assert [G.C4.compose(r, g) for g in G.C4.elements] == [1, 2, 3, 0]
    f = 4  # D4: flip
    r_inv = G.D4.inverse(1)
    assert G.D4.compose(f, G.D4.compose(1, f)) == r_inv == 3  # f r f = r⁻¹
    assert G.D4.compose(1, f) != G.D4.compose(f, 1)
    assert G.D4.element_names() == ["e", "r", "r2", "r3", "f", "rf", "r2f", "r3f"]
    assert G.C2.element_names() == ["e", "r2"]


def _reference_image_action(group, x, g):
    """Independent definition: np.rot90 after an optional left-right mirror."""
    k, m = group.decompose(g)
    return np.rot90(np.flip(x, axis=2) if m else x, k * (4 // group.rotations), axes=(1, 2))


@pytest.mark.parametrize("group", PLANAR, ids=lambda g: g.name)
@pytest.mark.parametrize("size", [(5, 5), (6, 6), (5, 8)], ids=["odd", "even", "non-square"])
def test_act_on_image_matches_numpy_and_is_an_action(group, size, rng):
    x = rng.normal(size=(2, *size, 3))
    for g in group.elements:
        np.testing.assert_array_equal(group.act_on_image(x, g), _reference_image_action(group, x, g))
    for g, h in itertools.product(group.elements, repeat=2):
        lhs = group.act_on_image(group.act_on_image(x, h), g)
        np.testing.assert_array_equal(lhs, group.act_on_image(x, group.compose(g, h)))


@pytest.mark.parametrize("group", PLANAR, ids=lambda g: g.name)
@pytest.mark.parametrize("size", [(5, 5), (4, 7)], ids=["square", "non-square"])
def test_act_on_field_is_an_action(group, size, rng):
    x = rng.normal(size=(2, *size, 3 * group.order))
    for g, h in itertools.product(group.elements, repeat=2):
        lhs = group.act_on_field(group.act_on_field(x, h), g)
        np.testing.assert_array_equal(lhs, group.act_on_field(x, group.compose(g, h)))


@pytest.mark.parametrize("group", [G.C4, G.D4], ids=lambda g: g.name)
def test_act_on_field_moves_plane_and_permutes_orientations(group, rng):
    """[g·f](p, c, h) = f(g⁻¹p, c, g⁻¹h), written out with explicit indices."""
    x = rng.normal(size=(1, 4, 4, 2 * group.order))
    for g in group.elements:
        got = G.split_group_axis(group.act_on_field(x, g), group)
        moved = G.split_group_axis(_reference_image_action(group, x, g), group)
        for h in group.elements:
            np.testing.assert_array_equal(got[..., h], moved[..., group.compose(group.inverse(g), h)])


def test_c4_regular_permutation_is_a_cyclic_shift(rng):
    v = rng.normal(size=4)
    for g in G.C4.elements:
        np.testing.assert_array_equal(v[G.C4.regular_permutation(g)], np.roll(v, g))


def test_split_merge_layout_and_round_trip(rng):
    x = rng.normal(size=(2, 3, 3, 5 * 8))
    split = G.split_group_axis(x, G.D4)
    assert split.shape == (2, 3, 3, 5, 8)
    np.testing.assert_array_equal(split[..., 2, 7], x[..., 2 * 8 + 7])  # group index fastest
    np.testing.assert_array_equal(G.merge_group_axis(split, "D4"), x)
    with pytest.raises(ValueError, match="fields·4"):
        G.split_group_axis(rng.normal(size=(1, 2, 2, 6)), "C4")


def test_set_action_is_an_action_and_moves_elements(rng):
    s3 = G.SymmetricGroup(3)
    x = rng.normal(size=(2, 3, 4))
    for g, h in itertools.product(s3.elements, repeat=2):
        np.testing.assert_array_equal(s3.act_on_set(s3.act_on_set(x, h), g), s3.act_on_set(x, s3.compose(g, h)))
    sigma = s3.permutation(3)
    moved = s3.act_on_set(x, 3)
    for i in range(3):
        np.testing.assert_array_equal(moved[:, sigma[i]], x[:, i])  # element i moves to position σ(i)


def test_translate_is_exact_and_invertible(rng):
    x = rng.normal(size=(1, 6, 7, 2))
    np.testing.assert_array_equal(G.translate(x, (2, -3)), np.roll(np.roll(x, 2, axis=1), -3, axis=2))
    np.testing.assert_array_equal(G.translate(G.translate(x, (2, -3)), (-2, 3)), x)


def test_actions_on_backend_tensors_match_numpy(rng):
    from keras import ops

    x = rng.normal(size=(2, 5, 6, 2 * 8)).astype("float32")
    for g in G.D4.elements:
        np.testing.assert_array_equal(
            ops.convert_to_numpy(G.D4.act_on_field(ops.convert_to_tensor(x), g)), G.D4.act_on_field(x, g)
        )


def test_symmetric_group_numbers_permutations_by_rank_for_any_n():
    for n in range(1, 6):
        group = G.SymmetricGroup(n)
        assert [group.permutation(g) for g in group.elements] == list(itertools.permutations(range(n)))
    big = G.SymmetricGroup(10)
    assert big.order == 3_628_800 and len(big.elements) == big.order
    a, b = 123_456, 3_000_000
    pa, pb = big.permutation(a), big.permutation(b)
    assert big.permutation(big.compose(a, b)) == tuple(pa[pb[i]] for i in range(10))
    assert big.compose(a, big.inverse(a)) == 0 and big.rank(pa) == a
    swap, cycle = big.generators()
    assert big.permutation(swap) == (1, 0, *range(2, 10)) and big.permutation(cycle) == (*range(1, 10), 0)
    assert big.sample(5)[:3] == [0, swap, cycle] and len(set(big.sample(50))) == 50
    with pytest.raises(ValueError, match=r"Cayley table of S10 would have 3,628,800² entries.*only for n <= 7"):
        big.cayley_table()
    with pytest.raises(ValueError, match=r"S\(n\) permutes n >= 1 set elements\. Received: n=0"):
        G.SymmetricGroup(0)


SUBGROUPS = {
    "C2": ["trivial", "C2"],
    "C4": ["trivial", "C2", "C4"],
    "D1": ["trivial", "D1"],
    "D2": ["trivial", "C2", "D1", "D2"],
    "D4": ["trivial", "C2", "D1", "C4", "D2", "D4"],
}


@pytest.mark.parametrize("name", sorted(SUBGROUPS))
def test_subgroups_embed_as_homomorphisms_and_cosets_partition(name, rng):
    group = G.get(name)
    assert [h.name for h in group.subgroups()] == SUBGROUPS[name]
    x = rng.normal(size=(1, 4, 5, 2))
    for sub in group.subgroups():
        embed = group.subgroup_embedding(sub)
        for a, b in itertools.product(sub.elements, repeat=2):  # the inclusion respects composition
            assert embed[sub.compose(a, b)] == group.compose(int(embed[a]), int(embed[b]))
        for h in sub.elements:  # and moves the plane exactly as the subgroup's own action
            np.testing.assert_array_equal(group.act_on_image(x, int(embed[h])), sub.act_on_image(x, h))
        cosets = group.cosets(sub)
        assert cosets.shape == (group.order // sub.order, sub.order)
        assert sorted(cosets.reshape(-1).tolist()) == list(group.elements)  # a partition of G
        for row in cosets:  # each row is H·r with r = row[0] its smallest element
            assert row[0] == min(row) and set(row.tolist()) == {group.compose(int(h), int(row[0])) for h in embed}
        field = rng.normal(size=(1, 3, 3, 2 * group.order))
        act = group.restricted_action(sub)
        for a, b in itertools.product(sub.elements, repeat=2):  # the restriction is an action of H
            np.testing.assert_array_equal(act(act(field, b), a), act(field, sub.compose(a, b)))


def test_a_group_that_is_not_a_subgroup_is_named_as_such():
    with pytest.raises(
        ValueError,
        match=r"C4 is not a subgroup of D2: its element r \(rotate 90°\) is not in D2\. "
        r"Subgroups of D2: trivial, C2, D1, D2\. Received: subgroup='C4'",
    ):
        G.D2.cosets("C4")
    assert not G.C4.is_subgroup("D1") and G.D4.is_subgroup(G.D2)


def test_bad_names_and_elements_are_rejected():
    with pytest.raises(ValueError, match=r"Unknown group\. Use one of 'trivial', 'C2', 'C4'.*Received: group='C5'"):
        G.get("C5")
    assert G.get("c4") is G.C4 and G.get(G.D4) is G.D4
    with pytest.raises(ValueError, match=r"C4 has elements 0\.\.3\. Received: g=4"):
        G.C4.compose(4, 0)
    with pytest.raises(ValueError, match="rotations"):
        G.PlanarGroup("C3", rotations=3, flips=False)


def test_translation_group_axioms_and_action(rng):
    t = G.TranslationGroup(3, 4)
    table = t.cayley_table()
    assert all(sorted(row) == list(range(12)) for row in table)
    x = rng.normal(size=(1, 3, 4, 2))
    for g, h in itertools.product(t.elements, repeat=2):
        np.testing.assert_array_equal(t.act_on_image(t.act_on_image(x, h), g), t.act_on_image(x, t.compose(g, h)))
    np.testing.assert_array_equal(t.act_on_image(x, 5), np.roll(x, (1, 1), axis=(1, 2)))
    with pytest.raises(ValueError, match=r"T\(3x4\) acts on 3×4 grids"):
        t.act_on_image(rng.normal(size=(1, 4, 4, 1)), 1)
