"""3-D group convolutions over the cube's symmetries (O: 24 rotations, Oh: 48 with reflections): exact for every
element, the filter bank against a voxel-by-voxel reference, pooling, normalisation, serialisation, errors.

Volumes are kept tiny (at most 6 voxels a side, 2 fields) so that every element of Oh stays fast on all backends."""

import keras
import numpy as np
import pytest
from keras import ops
from keras.src import testing

from symkeras import groups as G
from symkeras.equivariance import check_equivariance, check_invariance
from symkeras.layers import (
    GroupAvgPool3D,
    GroupBatchNormalization,
    GroupConv3D,
    GroupMaxPool3D,
    GroupPooling,
    LiftingConv3D,
    expand_filter_bank,
)

CUBIC = [G.O, G.Oh]

# (depth, height, width), kernel size, strides, padding: odd, even, non-cubic volumes; even kernels; strides.
CASES = [
    ((5, 5, 5), 3, 1, "valid"),
    ((4, 4, 4), 3, 1, "same"),
    ((5, 3, 4), 3, 1, "same"),
    ((4, 5, 3), 2, 1, "valid"),
    ((5, 5, 5), 3, 2, "valid"),
    ((5, 3, 5), 3, 2, "same"),
]
CASE_IDS = ["odd", "even-same", "non-cubic", "even-kernel", "stride2-valid", "stride2-same-non-cubic"]


def _inputs(rng, size, channels, dtype):
    return rng.normal(size=(1, *size, channels)).astype(dtype)


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
@pytest.mark.parametrize("size, kernel, strides, padding", CASES, ids=CASE_IDS)
def test_lifting_conv3d_is_equivariant_for_every_element(group, size, kernel, strides, padding, dtype, rng):
    layer = LiftingConv3D(
        2, kernel, group=group, strides=strides, padding=padding, bias_initializer="random_normal", dtype=dtype
    )
    report = layer.check_equivariance(_inputs(rng, size, 2, dtype))
    assert set(report.errors) == set(group.elements) and report.dtype == dtype


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
@pytest.mark.parametrize("size, kernel, strides, padding", CASES, ids=CASE_IDS)
def test_group_conv3d_is_equivariant_for_every_element(group, size, kernel, strides, padding, dtype, rng):
    layer = GroupConv3D(
        2, kernel, group=group, strides=strides, padding=padding, bias_initializer="random_normal", dtype=dtype
    )
    report = layer.check_equivariance(_inputs(rng, size, 2 * group.order, dtype))
    assert set(report.errors) == set(group.elements) and report.dtype == dtype


def _naive_filter_bank_3d(kernel, group, lifting):
    """Voxel by voxel: bank[q, c·S + s, o·|G| + t] = kernel[R_t⁻¹q, c·S + t⁻¹s, o], q on centred tap coordinates."""
    k, channels, filters = kernel.shape[0], kernel.shape[3], kernel.shape[4]
    slots, n, centre = (1 if lifting else group.order), group.order, (kernel.shape[0] - 1) / 2
    bank = np.zeros((k, k, k, channels, filters * n), kernel.dtype)
    for t in group.elements:
        m = group.matrix(t)
        for q in np.ndindex(k, k, k):
            source = tuple(np.round(m.T @ (np.array(q) - centre) + centre).astype(int))
            for c in range(channels // slots):
                for s in range(slots):
                    slot = 0 if lifting else group.compose(group.inverse(t), s)
                    bank[(*q, c * slots + s, slice(t, None, n))] = kernel[(*source, c * slots + slot, slice(None))]
    return bank


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
@pytest.mark.parametrize("lifting", [True, False], ids=["lifting", "group"])
@pytest.mark.parametrize("kernel_size", [2, 3])
def test_expanded_filter_bank_equals_voxel_reference(group, lifting, kernel_size, rng):
    channels = 2 if lifting else group.order
    kernel = rng.normal(size=(kernel_size,) * 3 + (channels, 2)).astype("float32")
    expected = _naive_filter_bank_3d(kernel, group, lifting)
    np.testing.assert_array_equal(expand_filter_bank(kernel, group, lifting), expected)
    layer = (LiftingConv3D if lifting else GroupConv3D)(2, kernel_size, group=group)
    layer.build((None, 5, 5, 5, channels))
    layer.kernel.assign(kernel)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer.expanded_kernel()), expected)


@pytest.mark.parametrize("cls", [LiftingConv3D, GroupConv3D])
def test_to_conv3d_gives_the_same_outputs(cls, rng):
    layer = cls(2, 3, group="O", strides=2, padding="same", activation="relu", bias_initializer="random_normal")
    x = rng.normal(size=(2, 5, 5, 5, 24)).astype("float32")
    with pytest.raises(ValueError, match=rf"{cls.__name__} has no weights yet: call it on an input \(or build it\)"):
        layer.to_conv3d()
    expected = ops.convert_to_numpy(layer(x))
    conv = layer.to_conv3d()
    assert type(conv) is keras.layers.Conv3D
    np.testing.assert_allclose(ops.convert_to_numpy(conv(x)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
def test_pooling_and_batch_norm_on_volumes_are_equivariant(group, dtype, rng):
    f = _inputs(rng, (4, 4, 4), 2 * group.order, dtype)
    for layer in (GroupMaxPool3D(2, dtype=dtype), GroupAvgPool3D(3, strides=1, padding="same", dtype=dtype)):
        check_equivariance(layer, group, f, in_action="field", out_action="field")
    pooled = GroupPooling(group, dtype=dtype)
    check_equivariance(pooled, group, f, in_action="field", out_action="volume")
    assert pooled(f).shape == (1, 4, 4, 4, 2)
    norm = GroupBatchNormalization(group, momentum=0.0, dtype=dtype)
    norm(f, training=True)  # moving statistics := this batch's, shared by each field's orientations
    assert norm.moving_mean.shape == (2,)
    norm.check_equivariance(f)
    check_equivariance(lambda v: norm(v, training=True), group, f, in_action="field", out_action="field")


@pytest.mark.parametrize("cls", [GroupMaxPool3D, GroupAvgPool3D])
@pytest.mark.parametrize(
    "kwargs",
    [dict(pool_size=2), dict(pool_size=3, strides=2, padding="same"), dict(pool_size=3, strides=1, padding="same")],
    ids=["2", "3-s2-same", "3-s1-same"],
)
def test_3d_pooling_in_float64_equals_float32(cls, kwargs, rng):
    """float64 (strided slices on TensorFlow, whose 3-D pooling lacks float64) gives Keras' float32 values."""
    x = rng.normal(size=(2, 5, 5, 5, 3)) if kwargs["pool_size"] == 3 else rng.normal(size=(2, 4, 6, 4, 3))
    y64 = ops.convert_to_numpy(cls(**kwargs, dtype="float64")(x))
    y32 = ops.convert_to_numpy(cls(**kwargs, dtype="float32")(x.astype("float32")))
    assert y64.dtype == np.float64 and y64.shape == y32.shape
    np.testing.assert_allclose(y64, y32, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("group", CUBIC, ids=lambda g: g.name)
def test_small_3d_gcnn_is_invariant_and_round_trips_through_keras_file(group, tmp_path, rng):
    """lifting → group conv (stride 2) → max pool → orientation pooling → global pooling: invariant logits."""
    model = keras.Sequential(
        [
            keras.Input((7, 7, 7, 1)),
            LiftingConv3D(2, 3, group=group, activation="relu"),
            GroupBatchNormalization(group),
            GroupConv3D(2, 3, group=group, strides=2, padding="same", activation="relu"),
            GroupMaxPool3D(3, strides=1),
            GroupPooling(group, reduction="mean"),
            keras.layers.GlobalAveragePooling3D(),
            keras.layers.Dense(3),
        ]
    )
    x = rng.normal(size=(2, 7, 7, 7, 1)).astype("float32")
    check_invariance(model, group, x)
    path = tmp_path / "gcnn3d.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)))
    assert loaded.layers[0].group is group and loaded.layers[2].group is group


class TestLayerContracts3D(testing.TestCase):
    def test_lifting_conv3d(self):
        self.run_layer_test(
            LiftingConv3D,
            {"filters": 1, "kernel_size": 2, "group": "O", "activation": "relu"},
            input_shape=(2, 3, 3, 3, 2),
            expected_output_shape=(2, 2, 2, 2, 24),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
        )

    def test_group_conv3d(self):
        self.run_layer_test(
            GroupConv3D,
            {"filters": 1, "kernel_size": 3, "group": "O", "padding": "same", "strides": 2},
            input_shape=(2, 3, 3, 3, 24),
            expected_output_shape=(2, 2, 2, 2, 24),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
        )

    def test_spatial_pooling_3d(self):
        for cls in (GroupMaxPool3D, GroupAvgPool3D):
            self.run_layer_test(
                cls,
                {"pool_size": 2},
                input_shape=(2, 4, 4, 4, 3),
                expected_output_shape=(2, 2, 2, 2, 3),
                expected_num_trainable_weights=0,
            )


@pytest.mark.parametrize(
    "cls, kwargs, input_shape, message",
    [
        (
            GroupConv3D,
            dict(group="C4"),
            (None, 5, 5, 5, 8),
            r"C4 acts on images \(2-D\), but this needs a group acting on volumes \(3-D\): use one of 'O', 'Oh', or the "
            r"2-D layer",
        ),
        (
            LiftingConv3D,
            dict(kernel_size=(3, 3, 5)),
            (None, 5, 5, 5, 1),
            r"`kernel_size` must be cubic: a 90° rotation swaps depth, height and width.*Received: kernel_size=\(3, 3, 5\)",
        ),
        (
            LiftingConv3D,
            dict(kernel_size=(3, 3)),
            (None, 5, 5, 5, 1),
            r"`kernel_size` must be an int or a triple of ints\. Received: kernel_size=\(3, 3\)",
        ),
        (
            LiftingConv3D,
            dict(strides=2),
            (None, 5, 6, 5, 1),
            r"strides=2 with padding='valid' and window 3 samples the input height of 6 pixels.*use an input height of 5 "
            r"or 7",
        ),
        (LiftingConv3D, dict(strides=2), (None, None, 5, 5, 1), r"needs a known input depth and height and width"),
        (
            LiftingConv3D,
            dict(),
            (None, 5, 5, 1),
            r"LiftingConv3D expects 5-D input \(batch, depth, height, width, "
            r"channels\)",
        ),
        (
            GroupConv3D,
            dict(),
            (None, 5, 5, 5, 12),
            r"GroupConv3D over O needs input channels = fields·24 .*Got 12 channels; to convolve a volume use "
            r"LiftingConv3D",
        ),
        (
            LiftingConv3D,
            dict(kernel_size=2, padding="same"),
            (None, 5, 5, 5, 1),
            r"padding='same' with an even kernel_size pads one side more",
        ),
    ],
)
def test_bad_3d_configurations_are_rejected(cls, kwargs, input_shape, message):
    kwargs = {"kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        cls(2, **kwargs).build(input_shape)


def test_bad_3d_pooling_and_group_names_are_rejected():
    with pytest.raises(ValueError, match=r"`pool_size` must be cubic"):
        GroupMaxPool3D((2, 2, 1))
    with pytest.raises(ValueError, match=r"GroupMaxPool3D: strides=2.*input width of 5"):
        GroupMaxPool3D(2).build((None, 4, 4, 5, 24))
    with pytest.raises(
        ValueError,
        match=r"GroupBatchNormalization over O expects \(batch, depth, height, width, "
        r"fields·24\)",
    ):
        GroupBatchNormalization("O").build((None, 4, 4, 24))
    from symkeras.layers import GroupConv2D

    with pytest.raises(ValueError, match=r"O acts on volumes \(3-D\).*or the 3-D layer"):
        GroupConv2D(2, 3, group="O")


@pytest.mark.parametrize("padding", ["valid_equiv", "same_equiv"])
@pytest.mark.parametrize("size, strides", [((6, 7, 5), 3), ((5, 7, 9), 2)], ids=["s3-non-cubic", "s2-odd"])
def test_equivariant_paddings_work_on_volumes(padding, size, strides, rng):
    """The *_equiv paddings pad every spatial axis, depth included, by the minimum that keeps the grid symmetric."""
    x = rng.normal(size=(1, *size, 1)).astype("float32")
    layer = LiftingConv3D(1, 3, group="O", strides=strides, padding=padding)
    layer.check_equivariance(x)
    assert tuple(layer(x).shape) == layer.compute_output_shape(x.shape)
    f = ops.convert_to_numpy(layer(x))
    pool = GroupMaxPool3D(3, strides=3, padding=padding)  # an odd stride: some equal padding always fits
    check_equivariance(pool, G.O, f, "field", "field")
    with pytest.raises(ValueError, match=r"cannot make the grid of strides=2 symmetric for an input depth of 6"):
        GroupMaxPool3D(3, strides=2, padding=padding).build((None, 6, 5, 5, 24))
