"""GroupPooling, spatial pooling on symmetric grids, GroupBatchNormalization and the DeepSets layers."""

import itertools

import keras
import numpy as np
import pytest
from keras import ops

from symkeras import groups as G
from symkeras.equivariance import check_equivariance, check_invariance, equivariance_error
from symkeras.layers import (
    GroupAvgPool2D,
    GroupBatchNormalization,
    GroupMaxPool2D,
    GroupPooling,
    PermutationEquivariantDense,
    SetPooling,
)


@pytest.mark.parametrize("group", [G.C4, G.D4], ids=lambda g: g.name)
@pytest.mark.parametrize("reduction", ["max", "mean"])
def test_group_pooling_gives_invariant_channels(group, reduction, dtype, rng):
    layer = GroupPooling(group, reduction=reduction, dtype=dtype)
    x = rng.normal(size=(2, 5, 6, 3 * group.order)).astype(dtype)
    layer.check_equivariance(x)  # field in, image out: orientation no longer matters
    split = G.split_group_axis(x, group)
    expected = split.max(-1) if reduction == "max" else split.mean(-1)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [GroupMaxPool2D, GroupAvgPool2D])
@pytest.mark.parametrize(
    "size, pool, strides, padding",
    [((8, 8), 2, None, "valid"), ((6, 10), 2, None, "valid"), ((9, 9), 3, 2, "same"), ((7, 7), 3, 2, "valid")],
)
def test_spatial_pooling_on_symmetric_grids_is_equivariant(cls, size, pool, strides, padding, dtype, rng):
    layer = cls(pool, strides=strides, padding=padding, dtype=dtype)
    field = rng.normal(size=(2, *size, 2 * 8)).astype(dtype)
    check_equivariance(layer, G.D4, field, in_action="field", out_action="field")
    check_equivariance(layer, G.D4, field[..., :3], in_action="image", out_action="image")


def test_spatial_pooling_rejects_asymmetric_grids():
    with pytest.raises(
        ValueError,
        match=r"GroupMaxPool2D: strides=2 .* input height of 9 pixels.* 8 or 10.*"
        r"padding='valid_equiv'",
    ):
        GroupMaxPool2D(2).build((None, 9, 9, 4))
    with pytest.raises(ValueError, match=r"padding='same' with an even pool_size"):
        GroupAvgPool2D(2, padding="same")
    # The same layer in plain Keras silently loses equivariance on that input: the reason for the check.
    x = np.random.default_rng(0).normal(size=(1, 9, 9, 1)).astype("float32")
    assert equivariance_error(keras.layers.MaxPooling2D(2), "C4", x, "image", "image").max_error > 0.1


@pytest.mark.parametrize("group", [G.C4, G.D4], ids=lambda g: g.name)
def test_group_batch_norm_shares_statistics_over_orientations(group, dtype, rng):
    layer = GroupBatchNormalization(
        group, gamma_initializer="random_normal", beta_initializer="random_normal", dtype=dtype
    )
    x = (rng.normal(size=(4, 5, 5, 3 * group.order)) * 3 + 1).astype(dtype)
    check_equivariance(lambda v: layer(v, training=True), group, x, in_action="field", out_action="field")
    check_equivariance(lambda v: layer(v, training=False), group, x, in_action="field", out_action="field")
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(3,), (3,)]  # one scale, one offset per field
    layer.gamma.assign(np.ones(3, dtype))
    layer.beta.assign(np.zeros(3, dtype))
    y = G.split_group_axis(ops.convert_to_numpy(layer(x, training=True)), group)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2, 4)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 1, 2, 4)), 1, atol=1e-3)


def test_plain_batch_norm_with_per_channel_scales_is_not_equivariant(rng):
    bn = keras.layers.BatchNormalization(gamma_initializer="random_normal")
    x = rng.normal(size=(4, 5, 5, 3 * 4)).astype("float32")
    assert equivariance_error(lambda v: bn(v, training=True), "C4", x, "field", "field").max_error > 0.1


@pytest.mark.parametrize("reduction", ["mean", "sum", "max"])
def test_permutation_equivariant_dense_for_all_permutations(reduction, dtype, rng):
    layer = PermutationEquivariantDense(5, reduction=reduction, bias_initializer="random_normal", dtype=dtype)
    x = rng.normal(size=(3, 4, 2)).astype(dtype)
    report = layer.check_equivariance(x)
    assert len(report.errors) == 24  # all of S4
    assert tuple(layer(rng.normal(size=(3, 6, 2)).astype(dtype)).shape) == (3, 6, 5)  # any set size


def test_deep_sets_model_is_permutation_invariant(dtype, rng):
    model = keras.Sequential(
        [
            keras.Input((None, 3), dtype=dtype),
            keras.layers.Dense(8, activation="relu", dtype=dtype),  # φ, applied to each element
            PermutationEquivariantDense(8, activation="relu", dtype=dtype),
            SetPooling("sum", dtype=dtype),  # Σ
            keras.layers.Dense(2, dtype=dtype),  # ρ
        ]
    )
    x = rng.normal(size=(2, 5, 3)).astype(dtype)
    report = check_invariance(model, G.SymmetricGroup(5), x, in_action="set")
    assert len(report.errors) == 120


def test_a_dense_layer_over_the_flattened_set_is_not_permutation_invariant(rng):
    flat = keras.Sequential([keras.Input((4, 3)), keras.layers.Flatten(), keras.layers.Dense(2)])
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    with pytest.raises(AssertionError, match="Not S4-invariant"):
        check_invariance(flat, G.SymmetricGroup(4), x, in_action="set")


def test_set_layers_above_seven_elements_are_checked_on_sampled_permutations(rng):
    layer = PermutationEquivariantDense(np.int64(4), reduction="max")  # NumPy ints, like the conv layers take
    assert layer.units == 4 and type(layer.units) is int
    x = rng.normal(size=(2, 9, 3)).astype("float32")
    report = layer.check_equivariance(x)
    group = G.SymmetricGroup(9)
    assert report.sampled and report.group_order == 362_880 and len(report.errors) == 64
    assert set(group.generators()) <= set(report.errors)  # the swap and the cycle generate all of S9
    assert "64 sampled elements of 362,880" in str(report)
    check_invariance(SetPooling("sum"), group, x, in_action="set")

    def last_element_counts_double(v):  # equivariant to permutations that fix the last element only
        return ops.convert_to_numpy(v) * np.r_[np.ones(8), 2.0][None, :, None]

    with pytest.raises(
        AssertionError,
        match=r"Not S9-equivariant.* of 64 sampled elements of 362,880 \(generators "
        r"included\) are over",
    ):
        check_equivariance(last_element_counts_double, group, x, in_action="set", out_action="set")


def test_set_pooling_refuses_an_input_without_a_set_axis():
    with pytest.raises(
        ValueError,
        match=r"SetPooling expects sets \(batch, set size, features\).*A 2-D input has no "
        r"set axis.*x\[:, :, None\].*Received: input_shape=\(4, 3\)",
    ):
        SetPooling("sum")(np.ones((4, 3), "float32"))
    assert tuple(SetPooling("max")(np.ones((4, 3, 2, 5), "float32")).shape) == (4, 2, 5)


def test_set_layer_arguments_are_validated():
    with pytest.raises(ValueError, match=r"`reduction` must be one of \['max', 'mean', 'sum'\]"):
        SetPooling("median")
    with pytest.raises(ValueError, match=r"`units` must be a positive int"):
        PermutationEquivariantDense(0)
    with pytest.raises(ValueError, match=r"`reduction` must be 'max' or 'mean'"):
        GroupPooling("C4", reduction="sum")
    assert list(itertools.islice(G.SymmetricGroup(3).elements, 2)) == [0, 1]
