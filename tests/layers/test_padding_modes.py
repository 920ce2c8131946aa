"""padding="valid_equiv" / "same_equiv": strided layers exact for any input size, refused only where no symmetric
padding exists (an even stride with an odd n − window)."""

import keras
import numpy as np
import pytest
from keras import ops

from symkeras import groups as G
from symkeras.equivariance import check_equivariance
from symkeras.layers import (
    GroupAvgPool2D,
    GroupConv2D,
    GroupMaxPool2D,
    GroupPooling,
    LiftingConv2D,
    equivariant_padding,
)

BACKEND = keras.backend.backend()
SIZES = range(7, 34)  # every size from 7 to 33; the width is 40 - n, so non-square too (same parity as n)
GROUPS = [G.C4, G.D4]


def _make(kind, group, window, stride, padding, dtype="float32"):
    if kind == "lifting":
        return LiftingConv2D(
            2, window, group=group, strides=stride, padding=padding, bias_initializer="random_normal", dtype=dtype
        ), "image"
    if kind == "group":
        return GroupConv2D(
            2, window, group=group, strides=stride, padding=padding, bias_initializer="random_normal", dtype=dtype
        ), "field"
    cls = GroupMaxPool2D if kind == "maxpool" else GroupAvgPool2D
    return cls(window, strides=stride, padding=padding, dtype=dtype), "field"


def _check(layer, action, group, x):
    if action == "image":
        return check_equivariance(layer, group, x, in_action="image", out_action="field")
    return check_equivariance(layer, group, x, in_action="field", out_action="field")


# Convolutions depend on the group (their filter banks do): C4 and D4.  Spatial pooling acts on every channel alike
# and takes no group; D4 contains C4 with the same action on the data, so D4 covers both.
SWEEP = [
    ("lifting", 3, G.C4),
    ("lifting", 3, G.D4),
    ("group", 3, G.C4),
    ("group", 3, G.D4),
    ("group", 4, G.D4),
    ("maxpool", 2, G.D4),
    ("avgpool", 3, G.D4),
]


@pytest.mark.parametrize("padding", ["valid_equiv", "same_equiv"])
@pytest.mark.parametrize("stride", [2, 3])
@pytest.mark.parametrize("kind, window, group", SWEEP, ids=[f"{k}{w}-{g.name}" for k, w, g in SWEEP])
def test_every_size_from_7_to_33_is_exact_or_refused_with_the_reason(kind, window, group, stride, padding, rng):
    layer, action = _make(kind, group, window, stride, padding)  # one layer for every size: the size comes at call
    exact, refused = [], []
    for n in SIZES:
        channels = 2 if action == "image" else 2 * group.order
        x = rng.normal(size=(1, n, 40 - n, channels)).astype("float32")
        if stride % 2 == 0 and (n - window) % 2:  # equal padding on both sides cannot change the parity of n − k
            with pytest.raises(
                ValueError,
                match=rf"padding='{padding}' cannot make the grid of strides=2 symmetric "
                rf"for an input height of {n} pixels.*No padding keeps this layer "
                rf"exact; use an input height of {n - 1} or {n + 1}",
            ):
                layer(x)
            refused.append(n)
            continue
        y = layer(x)
        report = _check(layer, action, group, x)
        assert set(report.errors) == set(group.elements)
        total = equivariant_padding(n, window, stride, padding)
        assert total % 2 == 0 and (n + total - window) % stride == 0  # symmetric, and ends at the far border
        base = 0 if padding == "valid_equiv" else window - 1 + (window - 1) % 2  # 'same': k − 1, made even
        assert total >= base and not any(
            (n + p - window) % stride == 0 and n + p >= window for p in range(base, total, 2)
        )  # no smaller equal padding would do
        assert tuple(y.shape)[1] == (n + total - window) // stride + 1 == layer.compute_output_shape(x.shape)[1]
        exact.append(n)
    assert len(exact) + len(refused) == len(SIZES)
    assert len(refused) == (0 if stride == 3 else 13 + (window % 2 == 0))  # stride 3: every size is exact


@pytest.mark.parametrize("kind", ["lifting", "group", "maxpool"])
def test_padded_strided_layers_in_float64(kind, dtype, rng):
    layer, action = _make(kind, G.D4, 3, 2, "valid_equiv", dtype=dtype)
    x = rng.normal(size=(2, 11, 15, 2 if action == "image" else 16)).astype(dtype)
    report = _check(layer, action, G.D4, x)
    assert report.dtype == dtype and len(report.errors) == 8


def test_equivariant_padding_is_the_minimum():
    assert equivariant_padding(9, 3, 2, "valid_equiv") == 0  # already symmetric: nothing to add
    assert equivariant_padding(10, 3, 3, "valid_equiv") == 2  # (10 + 2 - 3) % 3 == 0
    assert equivariant_padding(11, 3, 3, "valid_equiv") == 4  # 1 is odd; 1 + 3 = 4 is the next that fits
    assert equivariant_padding(9, 3, 2, "same_equiv") == 2  # = 'same'
    assert equivariant_padding(10, 4, 3, "same_equiv") == 6  # at least k (even kernel: k − 1 rounded up), + 2
    assert equivariant_padding(2, 5, 3, "valid_equiv") == 6  # a tiny input still gets one window
    with pytest.raises(ValueError, match=r"even stride needs n - 3 \(here 7, odd\) to be even"):
        equivariant_padding(10, 3, 2, "valid_equiv")


def _fully_convolutional(group, padding):
    inputs = keras.Input((None, None, 1))
    h = LiftingConv2D(3, 3, group=group, strides=3, padding=padding, activation="relu")(inputs)
    h = GroupConv2D(3, 3, group=group, strides=3, padding=padding, activation="relu")(h)
    h = GroupMaxPool2D(3, strides=3, padding=padding)(h)
    return keras.Model(inputs, GroupPooling(group)(h))


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
@pytest.mark.parametrize("padding", ["valid_equiv", "same_equiv"])
def test_unknown_input_size_model_is_exact_for_every_size(group, padding, rng):
    model = _fully_convolutional(group, padding)
    assert model.output_shape == (None, None, None, 3)
    for size in [(20, 20), (21, 26), (33, 28)]:
        x = rng.normal(size=(2, *size, 1)).astype("float32")
        check_equivariance(model, group, x, in_action="image", out_action="image")


@pytest.mark.skipif(BACKEND != "tensorflow", reason="only TensorFlow graphs have sizes unknown at trace time")
def test_dynamic_shapes_inside_tf_function(rng):
    import tensorflow as tf

    model = _fully_convolutional(G.C4, "valid_equiv")
    fn = tf.function(model, input_signature=[tf.TensorSpec((None, None, None, 1), tf.float32)])
    for size in [(19, 24), (30, 30)]:  # one trace serves every size; the padding is computed in the graph
        x = rng.normal(size=(1, *size, 1)).astype("float32")
        np.testing.assert_allclose(fn(x).numpy(), ops.convert_to_numpy(model(x)), rtol=1e-5, atol=1e-6)
        check_equivariance(lambda v: fn(v).numpy(), G.C4, x, in_action="image", out_action="image")
    assert fn.experimental_get_tracing_count() == 1
    stride2 = tf.function(
        GroupMaxPool2D(2, padding="valid_equiv"), input_signature=[tf.TensorSpec((None, None, None, 4), tf.float32)]
    )
    assert tuple(stride2(np.zeros((1, 10, 12, 4), "float32")).shape) == (1, 5, 6, 4)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"cannot make the grid of strides=2 symmetric for this "
        r"input height.*No padding keeps this layer exact",
    ):
        stride2(np.zeros((1, 11, 12, 4), "float32"))


def test_padding_modes_round_trip_and_plain_strides_point_to_them(tmp_path, rng):
    model = _fully_convolutional(G.D4, "same_equiv")
    x = rng.normal(size=(2, 17, 22, 1)).astype("float32")
    model.save(tmp_path / "padded.keras")
    loaded = keras.models.load_model(tmp_path / "padded.keras")
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)))
    assert loaded.layers[3].get_config()["padding"] == "same_equiv"
    with pytest.raises(
        ValueError,
        match=r"strides=2 and padding='valid' needs a known input height and width.*Use "
        r"padding='valid_equiv' or 'same_equiv'",
    ):
        GroupConv2D(2, 3, strides=2).build((None, None, None, 4))
    with pytest.raises(ValueError, match=r"use an input height of 9 or 11, strides=1, or padding='valid_equiv'"):
        LiftingConv2D(2, 3, strides=2).build((None, 10, 10, 1))
    with pytest.raises(ValueError, match=r"to_conv2d: a Conv2D pads by a fixed rule"):
        GroupConv2D(2, 3, strides=2, padding="valid_equiv").to_conv2d()
