"""SubgroupPooling: a field over G becomes a field over H ≤ G, exactly H-equivariant and (followed by layers over H)
not G-equivariant."""

import keras
import numpy as np
import pytest
from keras import ops

from symkeras import groups as G
from symkeras.equivariance import check_invariance, equivariance_error
from symkeras.layers import GroupConv2D, GroupPooling, LiftingConv2D, SubgroupPooling

PAIRS = [("D4", "C4"), ("D4", "D2"), ("D4", "D1"), ("D4", "C2"), ("C4", "C2"), ("C4", "trivial")]
IDS = [f"{g}-{h}" for g, h in PAIRS]


def _reference(x, group, subgroup, reduction):
    """Loop over output (field, h) and reduce over one element of each right coset, h∘r_i, with NumPy."""
    group, subgroup = G.get(group), G.get(subgroup)
    split = G.split_group_axis(x, group)
    embed = group.subgroup_embedding(subgroup)
    reps = sorted({min(group.compose(int(k), r) for k in embed) for r in group.elements})  # smallest of each coset
    out = np.zeros((*split.shape[:-1], subgroup.order), x.dtype)
    for h in subgroup.elements:
        values = np.stack([split[..., group.compose(int(embed[h]), r)] for r in reps], -1)
        out[..., h] = values.max(-1) if reduction == "max" else values.mean(-1)
    return G.merge_group_axis(out, subgroup)


@pytest.mark.parametrize("group, subgroup", PAIRS, ids=IDS)
@pytest.mark.parametrize("reduction", ["max", "mean"])
@pytest.mark.parametrize("size", [(5, 5), (6, 6), (5, 8)], ids=["odd", "even", "non-square"])
def test_subgroup_pooling_is_equivariant_for_every_element_of_the_subgroup(
    group, subgroup, reduction, size, dtype, rng
):
    layer = SubgroupPooling(group=group, subgroup=subgroup, reduction=reduction, dtype=dtype)
    g = G.get(group)
    x = rng.normal(size=(2, *size, 3 * g.order)).astype(dtype)
    report = layer.check_equivariance(x)
    assert report.group is G.get(subgroup) and set(report.errors) == set(G.get(subgroup).elements)
    y = ops.convert_to_numpy(layer(x))
    assert y.shape == (2, *size, 3 * G.get(subgroup).order) == layer.compute_output_shape(x.shape)
    atol = 1e-7 if dtype == "float32" else 1e-15  # a mean may sum in another order than NumPy's
    np.testing.assert_allclose(y, _reference(x, group, subgroup, reduction), rtol=1e-6, atol=atol)


@pytest.mark.parametrize("group, subgroup", PAIRS, ids=IDS)
def test_layers_over_the_subgroup_keep_its_symmetry_and_only_that(group, subgroup, rng):
    """G-field → pool onto H → group conv over H → pool over H → sum over space: invariant under exactly H."""
    g, h = G.get(group), G.get(subgroup)
    head = keras.Sequential(
        [
            keras.Input((9, 9, 2 * g.order)),
            SubgroupPooling(group=group, subgroup=subgroup),
            GroupConv2D(3, 3, group=h, kernel_initializer="random_normal"),
            GroupPooling(h),
            keras.layers.GlobalAveragePooling2D(),
        ]
    )
    x = rng.normal(size=(2, 9, 9, 2 * g.order)).astype("float32")
    check_invariance(head, h, x, in_action=g.restricted_action(h))
    report = equivariance_error(head, g, x, in_action="field", out_action="trivial")
    inside = set(g.subgroup_embedding(h).tolist())
    assert max(report.errors[e] for e in inside) <= 1e-5
    assert min(report.errors[e] for e in g.elements if e not in inside) >= 1e-2  # the broken part of G


def test_d4_network_pooled_onto_d1_sees_up_but_not_left_right(rng):
    """The 6-vs-9 remedy: mirror-invariant, but a half turn changes the answer."""
    model = keras.Sequential(
        [
            keras.Input((11, 11, 1)),
            LiftingConv2D(3, 3, group="D4", activation="relu"),
            SubgroupPooling(group="D4", subgroup="D1"),
            GroupConv2D(3, 3, group="D1", kernel_initializer="random_normal"),
            GroupPooling("D1"),
            keras.layers.GlobalAveragePooling2D(),
        ]
    )
    x = rng.normal(size=(2, 11, 11, 1)).astype("float32")
    check_invariance(model, "D1", x)
    half_turn = equivariance_error(model, "C2", x, in_action="image", out_action="trivial")
    assert half_turn.errors[1] > 1e-2


def test_blocks_of_the_group_axis_are_pooled_by_reshape_and_others_by_one_gather():
    layouts = {(g, h): SubgroupPooling(g, h).pooling_layout for g, h in PAIRS}
    assert layouts == {
        ("D4", "C4"): "strided",
        ("D4", "D2"): "gather",
        ("D4", "D1"): "contiguous",
        ("D4", "C2"): "gather",
        ("C4", "C2"): "contiguous",
        ("C4", "trivial"): "contiguous",
    }


def test_subgroup_and_trivial_limits():
    x = np.random.default_rng(0).normal(size=(1, 4, 4, 16)).astype("float32")
    np.testing.assert_array_equal(ops.convert_to_numpy(SubgroupPooling("D4", "D4")(x)), x)
    np.testing.assert_allclose(
        ops.convert_to_numpy(SubgroupPooling("D4", "trivial", reduction="mean")(x)),
        ops.convert_to_numpy(GroupPooling("D4", reduction="mean")(x)),
        rtol=1e-6,
    )


def test_subgroup_pooling_validates_its_arguments():
    with pytest.raises(
        ValueError,
        match=r"D1 is not a subgroup of C4: its element f \(mirror left-right\) is not in "
        r"C4\. Subgroups of C4: trivial, C2, C4\. Received: subgroup='D1'",
    ):
        SubgroupPooling(group="C4", subgroup="D1")
    with pytest.raises(ValueError, match=r"`reduction` must be 'max' or 'mean'"):
        SubgroupPooling(reduction="sum")
    with pytest.raises(
        ValueError,
        match=r"SubgroupPooling over D4 needs input channels = fields·8\. "
        r"Received: input_shape=\(None, 5, 5, 12\)",
    ):
        SubgroupPooling("D4", "C4").build((None, 5, 5, 12))


def test_subgroup_pooling_saves_and_loads(tmp_path, rng):
    model = keras.Sequential(
        [
            keras.Input((7, 7, 1)),
            LiftingConv2D(2, 3, group="D4"),
            SubgroupPooling("D4", "D2", reduction="mean"),
            GroupConv2D(2, 3, group="D2"),
        ]
    )
    x = rng.normal(size=(2, 7, 7, 1)).astype("float32")
    model.save(tmp_path / "sub.keras")
    loaded = keras.models.load_model(tmp_path / "sub.keras")
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)))
    assert loaded.layers[1].get_config()["subgroup"] == "D2"
