"""GroupConv2DTranspose: exact for every element wherever its output grid is symmetric, the adjoint of GroupConv2D,
refusals that are really needed, export to Conv2DTranspose, and an equivariant encoder–decoder."""

import keras
import numpy as np
import pytest
from keras import ops
from keras.src import testing

from symkeras import groups as G
from symkeras.equivariance import check_equivariance, equivariance_error
from symkeras.layers import GroupConv2D, GroupConv2DTranspose, GroupPooling, LiftingConv2D

GROUPS = [G.C4, G.D4]

# (input height, width), kernel size, strides, padding: odd, even, non-square inputs; strides 1 and 2 (and 3).
CASES = [
    ((5, 5), 3, 1, "valid"),
    ((6, 6), 3, 1, "same"),
    ((5, 7), 3, 2, "valid"),
    ((6, 5), 4, 2, "same"),
    ((4, 4), 2, 2, "valid"),
    ((5, 6), 4, 2, "valid"),
    ((4, 5), 5, 3, "same"),
]
CASE_IDS = ["s1-valid", "s1-same-even", "s2-valid-nonsquare", "s2-same-k4", "s2-k2", "s2-valid-k4", "s3-same-k5"]


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
@pytest.mark.parametrize("size, kernel, strides, padding", CASES, ids=CASE_IDS)
def test_transposed_group_conv_is_equivariant_for_every_element(group, size, kernel, strides, padding, dtype, rng):
    layer = GroupConv2DTranspose(
        3, kernel, group=group, strides=strides, padding=padding, bias_initializer="random_normal", dtype=dtype
    )
    x = rng.normal(size=(2, *size, 2 * group.order)).astype(dtype)
    report = layer.check_equivariance(x)
    assert set(report.errors) == set(group.elements) and report.dtype == dtype
    expected = tuple(n * strides if padding == "same" else (n - 1) * strides + kernel for n in size)
    assert tuple(layer(x).shape) == (2, *expected, 3 * group.order)
    assert layer.compute_output_shape((None, *size, 2 * group.order)) == (None, *expected, 3 * group.order)


@pytest.mark.parametrize("strides, padding", [(2, "valid"), (2, "same"), (1, "same")])
def test_transposed_conv_is_the_adjoint_of_the_group_conv_with_its_kernel(strides, padding, rng):
    """<T f, h> = <f, C h>, where C is a GroupConv2D (filters and input fields swapped) holding T's kernel."""
    k = 4 if (strides, padding) == (2, "same") else 3
    transposed = GroupConv2DTranspose(
        3, k, group="D4", strides=strides, padding=padding, use_bias=False, dtype="float64"
    )
    f = rng.normal(size=(2, 5, 5, 2 * 8))
    out = ops.convert_to_numpy(transposed(f))
    forward = GroupConv2D(2, k, group="D4", use_bias=False, dtype="float64")
    forward.build((None, *out.shape[1:]))
    forward.kernel.assign(ops.convert_to_numpy(transposed.kernel))
    h = rng.normal(size=out.shape)
    # the forward bank applied with the transposed layer's strides and padding ('same' with k=4, stride 2 pads 1 + 1
    # on these even sizes, a case GroupConv2D's general rule does not single out)
    back = ops.convert_to_numpy(ops.conv(h, forward.expanded_kernel(), strides=strides, padding=padding))
    assert back.shape == f.shape
    np.testing.assert_allclose(np.sum(out * h), np.sum(f * back), rtol=1e-12)


@pytest.mark.parametrize(
    "kernel, strides, padding", [(3, 2, "same"), (4, 3, "same"), (1, 2, "valid"), (1, 3, "same"), (2, 4, "same")]
)
def test_refused_settings_would_really_break_equivariance(kernel, strides, padding, rng):
    """Each refusal guards a real failure: forcing the setting past validation gives errors of order one."""
    with pytest.raises(ValueError, match=f"padding='{padding}'"):
        GroupConv2DTranspose(2, kernel, strides=strides, padding=padding)
    layer = GroupConv2DTranspose(2, kernel, strides=1)
    layer.strides, layer.padding = strides, padding  # bypass the checks
    report = equivariance_error(layer, "C4", rng.normal(size=(1, 5, 5, 8)).astype("float32"), "field", "field")
    assert report.max_error > 0.05


@pytest.mark.parametrize(
    "kwargs, input_shape, message",
    [
        (
            dict(kernel_size=3, strides=2, padding="same"),
            (None, 5, 5, 8),
            r"padding='same' crops kernel_size - strides = 1 rows and columns from the full output, one more on one side "
            r"than the other.*Use a kernel_size with the parity of strides \(e\.g\. kernel_size=4\) or padding='valid'\. "
            r"Received: kernel_size=3, strides=2, padding='same'",
        ),
        (
            dict(kernel_size=1, strides=2),
            (None, 5, 5, 8),
            r"kernel_size < strides leaves gaps.*Use kernel_size >= 2 or strides <= 1\. Received: kernel_size=1, "
            r"strides=2, padding='valid'",
        ),
        (dict(kernel_size=(3, 2)), (None, 5, 5, 8), r"`kernel_size` must be square"),
        (dict(kernel_size=3, group="O"), (None, 5, 5, 8), r"O acts on volumes \(3-D\)"),
        (
            dict(kernel_size=3),
            (None, 5, 5, 6),
            r"GroupConv2DTranspose over C4 needs input channels = fields·4 .*Got 6 channels",
        ),
        (dict(kernel_size=3, padding="full"), (None, 5, 5, 8), r"`padding` must be 'valid' or 'same'"),
    ],
)
def test_bad_transposed_configurations_are_rejected(kwargs, input_shape, message):
    with pytest.raises(ValueError, match=message):
        GroupConv2DTranspose(2, **kwargs).build(input_shape)


def test_unknown_input_size_is_fine_and_export_is_a_conv2d_transpose(rng):
    model = keras.Sequential(
        [
            keras.Input((None, None, 8)),
            GroupConv2DTranspose(2, 4, strides=2, padding="same", activation="relu", bias_initializer="random_normal"),
        ]
    )
    layer = model.layers[0]
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(4, 4, 8, 2), (2,)]
    for size in (5, 6):
        x = rng.normal(size=(2, size, size + 1, 8)).astype("float32")
        plain = layer.to_conv2d_transpose()
        assert type(plain) is keras.layers.Conv2DTranspose
        np.testing.assert_allclose(ops.convert_to_numpy(plain(x)), ops.convert_to_numpy(model(x)), rtol=1e-5, atol=1e-6)
        layer.check_equivariance(x)


class TestTransposeContract(testing.TestCase):
    def test_group_conv_transpose(self):
        self.run_layer_test(
            GroupConv2DTranspose,
            {"filters": 2, "kernel_size": 4, "strides": 2, "padding": "same", "group": "D4"},
            input_shape=(2, 3, 3, 16),
            expected_output_shape=(2, 6, 6, 16),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
        )


def encoder_decoder(group="D4", size=28, fields=4):
    """Per-pixel segmentation: image → field (lifting) → downsample ×2 → upsample ×2 → per-pixel logit.

    28 → 26 (3×3 valid) → 12 (4×4, stride 2: (26 − 4) % 2 == 0) → 26 (transposed 4×4, stride 2) → 28 (transposed
    3×3, stride 1) → pooled over the group: one invariant logit per pixel, which moves with the image."""
    return keras.Sequential(
        [
            keras.Input((size, size, 1)),
            LiftingConv2D(fields, 3, group=group, activation="relu"),
            GroupConv2D(2 * fields, 4, group=group, strides=2, activation="relu"),
            GroupConv2DTranspose(fields, 4, group=group, strides=2, activation="relu"),
            GroupConv2DTranspose(1, 3, group=group),
            GroupPooling(group, reduction="mean"),
        ]
    )


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_encoder_decoder_segmentation_is_equivariant_for_every_element(group, rng):
    """Digit-like strokes (synthetic: random blobs, thresholded like pen strokes) in, per-pixel logits out; the
    segmentation of a rotated/mirrored image is the rotated/mirrored segmentation, for every element."""
    model = encoder_decoder(group)
    x = (rng.uniform(size=(2, 28, 28, 1)) > 0.8).astype("float32")
    y = model(x)
    assert tuple(y.shape) == (2, 28, 28, 1)
    report = check_equivariance(model, group, x, in_action="image", out_action="image")
    assert set(report.errors) == set(group.elements)
