"""LiftingConv2D and GroupConv2D: exact equivariance for every element, the filter bank, validation, export."""

import keras
import numpy as np
import pytest
from keras import ops

from symkeras import groups as G
from symkeras.layers import GroupConv2D, GroupPooling, LiftingConv2D, expand_filter_bank

GROUPS = [G.C4, G.D4]

# (input height, width), kernel size, strides, padding: odd, even, non-square inputs; even kernels; allowed strides.
CASES = [
    ((9, 9), 3, 1, "valid"),
    ((8, 8), 3, 1, "same"),
    ((9, 7), 3, 1, "same"),
    ((8, 8), 2, 1, "valid"),
    ((9, 9), 3, 2, "valid"),
    ((9, 9), 3, 2, "same"),
    ((10, 7), 4, 3, "valid"),
]
CASE_IDS = ["odd", "even-same", "non-square", "even-kernel", "stride2-valid", "stride2-same", "nonsquare-k4-s3"]


def _inputs(rng, size, channels, dtype):
    return rng.normal(size=(2, *size, channels)).astype(dtype)


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
@pytest.mark.parametrize("size, kernel, strides, padding", CASES, ids=CASE_IDS)
def test_lifting_conv_is_equivariant_for_every_element(group, size, kernel, strides, padding, dtype, rng):
    layer = LiftingConv2D(
        3, kernel, group=group, strides=strides, padding=padding, bias_initializer="random_normal", dtype=dtype
    )
    report = layer.check_equivariance(_inputs(rng, size, 2, dtype))
    assert set(report.errors) == set(group.elements) and report.dtype == dtype


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
@pytest.mark.parametrize("size, kernel, strides, padding", CASES, ids=CASE_IDS)
def test_group_conv_is_equivariant_for_every_element(group, size, kernel, strides, padding, dtype, rng):
    layer = GroupConv2D(
        3, kernel, group=group, strides=strides, padding=padding, bias_initializer="random_normal", dtype=dtype
    )
    report = layer.check_equivariance(_inputs(rng, size, 2 * group.order, dtype))
    assert len(report.errors) == group.order


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_lift_conv_conv_pool_is_invariant(group, dtype, rng):
    """lifting → group conv (stride 2) → group conv → orientation pooling → global pooling: invariant."""
    features = keras.Sequential(
        [
            keras.Input((11, 11, 1), dtype=dtype),
            LiftingConv2D(4, 3, group=group, activation="relu", dtype=dtype),
            GroupConv2D(4, 3, group=group, strides=2, activation="relu", dtype=dtype),
            GroupConv2D(4, 3, group=group, padding="same", dtype=dtype),
            GroupPooling(group, dtype=dtype),
        ]
    )
    x = _inputs(rng, (11, 11), 1, dtype)
    from symkeras.equivariance import check_equivariance, check_invariance

    check_equivariance(features, group, x, in_action="image", out_action="image")
    check_invariance(lambda x: ops.sum(features(x), axis=(1, 2)), group, x)


def _naive_filter_bank(kernel, group, lifting):
    """Literally rotate/flip each filter with NumPy and permute its input slots, one (o, t, c, s) at a time."""
    k, _, channels, filters = kernel.shape
    slots, n = (1 if lifting else group.order), group.order
    bank = np.zeros((k, k, channels, filters * n), kernel.dtype)
    for o in range(filters):
        for t in group.elements:
            quarter_turns, mirror = group.quarter_turns(t), group.decompose(t)[1]
            for c in range(channels // slots):
                for s in range(slots):
                    source = 0 if lifting else group.compose(group.inverse(t), s)
                    taps = kernel[:, :, c * slots + source, o]
                    taps = np.rot90(np.flip(taps, axis=1) if mirror else taps, quarter_turns)
                    bank[:, :, c * slots + s, o * n + t] = taps
    return bank


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
@pytest.mark.parametrize("lifting", [True, False], ids=["lifting", "group"])
@pytest.mark.parametrize("kernel_size", [3, 4])
def test_expanded_filter_bank_equals_naive_reference(group, lifting, kernel_size, rng):
    channels = 2 if lifting else 2 * group.order
    kernel = rng.normal(size=(kernel_size, kernel_size, channels, 3)).astype("float32")
    expected = _naive_filter_bank(kernel, group, lifting)
    np.testing.assert_array_equal(expand_filter_bank(kernel, group, lifting), expected)
    layer = (LiftingConv2D if lifting else GroupConv2D)(3, kernel_size, group=group)
    layer.build((None, 9, 9, channels))
    layer.kernel.assign(kernel)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer.expanded_kernel()), expected)


def test_one_bias_per_field_shared_by_orientations(rng):
    layer = LiftingConv2D(3, 3, group="D4", kernel_initializer="zeros", bias_initializer="random_normal")
    out = ops.convert_to_numpy(layer(rng.normal(size=(1, 5, 5, 1)).astype("float32")))
    assert [w.shape for w in layer.trainable_weights] == [(3, 3, 1, 3), (3,)]
    np.testing.assert_array_equal(out[0, 0, 0], np.repeat(ops.convert_to_numpy(layer.bias), 8))


@pytest.mark.parametrize("cls", [LiftingConv2D, GroupConv2D])
def test_to_conv2d_gives_the_same_outputs(cls, rng):
    layer = cls(3, 3, group="C4", strides=2, padding="same", activation="relu", bias_initializer="random_normal")
    x = rng.normal(size=(2, 9, 9, 8)).astype("float32")
    expected = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(ops.convert_to_numpy(layer.to_conv2d()(x)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, input_shape, message",
    [
        (
            dict(kernel_size=2, padding="same"),
            (None, 8, 8, 1),
            r"padding='same' with an even kernel_size pads one side more than the other.*Use an odd kernel_size \(e\.g\. 3\), "
            r"padding='same_equiv' \(pads 2 pixels, half on each side\) or padding='valid'\. "
            r"Received: padding='same', kernel_size=2",
        ),
        (dict(kernel_size=(3, 5)), (None, 8, 8, 1), r"`kernel_size` must be square.*Received: kernel_size=\(3, 5\)"),
        (dict(kernel_size=3, strides=(1, 2)), (None, 8, 8, 1), r"`strides` must be square"),
        (
            dict(kernel_size=3, strides=2),
            (None, 10, 10, 1),
            r"strides=2 with padding='valid' and window 3 samples the input height of 10 pixels on a grid that is not "
            r"symmetric.*use an input height of 9 or 11, strides=1, or padding='valid_equiv' to pad the minimum needed\. "
            r"Received: input_shape=\(None, 10, 10, 1\)",
        ),
        (
            dict(kernel_size=3, strides=2, padding="same"),
            (None, 9, 8, 1),
            r"input width of 8 pixels.*Need \(n - 1\) % 2 == 0: use an input width of 7 or 9",
        ),
        (dict(kernel_size=3, strides=2), (None, None, None, 1), r"needs a known input height and width"),
        (dict(kernel_size=3, group="C5"), (None, 8, 8, 1), r"Unknown group.*Received: group='C5'"),
        (
            dict(kernel_size=3, padding="causal"),
            (None, 8, 8, 1),
            r"`padding` must be one of 'valid', 'same', 'valid_equiv', 'same_equiv'",
        ),
        (
            dict(kernel_size=3.0),
            (None, 8, 8, 1),
            r"`kernel_size` must be an int or a pair of ints\. Use kernel_size=3\. Received: kernel_size=3\.0",
        ),
        (dict(kernel_size=2.5), (None, 8, 8, 1), r"`kernel_size` must be an int or a pair of ints\. Received"),
        (
            dict(kernel_size=3),
            (None, 2, 2, 1),
            r"the input height 2 is smaller than the window 3, so padding='valid' has "
            r"no output position",
        ),
    ],
)
def test_bad_lifting_configurations_are_rejected(kwargs, input_shape, message):
    with pytest.raises(ValueError, match=message):
        LiftingConv2D(4, **kwargs).build(input_shape)


@pytest.mark.parametrize("cls, channels", [(LiftingConv2D, 1), (GroupConv2D, 4)])
def test_valid_convolution_on_an_input_smaller_than_the_kernel_raises(cls, channels):
    """TensorFlow's conv returns an uninitialised (1, 2, 2, ·) tensor here instead of failing: the layer must raise."""
    layer = cls(2, 3, padding="valid")
    with pytest.raises(ValueError, match=r"input height 2 is smaller than the window 3"):
        layer(np.ones((1, 2, 2, channels), "float32"))
    layer(np.ones((1, 5, 5, channels), "float32"))  # built on a large input, then called on a small one
    with pytest.raises(ValueError, match=r"input width 2 is smaller than the window 3"):
        layer(np.ones((1, 4, 2, channels), "float32"))


def test_numpy_integers_are_accepted_like_python_ints():
    layer = GroupConv2D(np.int64(2), np.int32(3), strides=np.int64(1), group="C4")
    assert (layer.filters, layer.kernel_size, layer.strides) == (2, 3, 1) and type(layer.filters) is int
    with pytest.raises(ValueError, match=r"`filters` .* must be a positive int\. Received: filters=True"):
        GroupConv2D(True, 3)


def test_group_conv_rejects_channels_that_are_not_fields():
    with pytest.raises(
        ValueError,
        match=r"GroupConv2D over C4 needs input channels = fields·4.*Got 6 channels; to "
        r"convolve an image use LiftingConv2D",
    ):
        GroupConv2D(4, 3).build((None, 8, 8, 6))
    with pytest.raises(ValueError, match=r"`filters` .* must be a positive int\. Received: filters=0"):
        GroupConv2D(0, 3)


def test_output_shapes_follow_keras_conventions():
    assert LiftingConv2D(5, 3, group="D4").compute_output_shape((None, 28, 28, 1)) == (None, 26, 26, 40)
    assert GroupConv2D(5, 3, strides=2, padding="same").compute_output_shape((None, 29, 29, 8)) == (None, 15, 15, 20)
    y = GroupConv2D(5, 3, strides=2, padding="same")(np.zeros((1, 29, 29, 8), "float32"))
    assert tuple(y.shape) == (1, 15, 15, 20)
