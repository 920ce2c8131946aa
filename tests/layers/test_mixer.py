"""PatchMixer and ClonedMixerConv2D: the linear Mixer block against a pixel-loop reference, the exact factors of a
circular convolution, C4 equivariance of the exact Mixer convolution, saving, freezing and the KL penalty."""

import keras
import numpy as np
import pytest
from keras import ops
from keras.src import testing

import symkeras
from symkeras import cloning, groups
from symkeras.equivariance import check_equivariance, equivariance_error
from symkeras.layers import ClonedConv2D, ClonedMixerConv2D, PatchMixer, mix_patches, mixer_maps


def reference_mix(x, token, channel, p):
    """Y[s, g] = Σ_q Σ_t Σ_f T_q[s, t] X[t, f] C_q[f, g], written pixel by pixel."""
    b, h, w, c = x.shape
    rows, cols = h // p, w // p
    out = channel.shape[-1] // (p * p)
    patches = np.zeros((b, rows * cols, p * p * c))
    for i in range(h):
        for j in range(w):
            patches[:, (i // p) * cols + j // p, ((i % p) * p + j % p) * c : ((i % p) * p + j % p + 1) * c] = x[:, i, j]
    y = np.einsum("qst,btf,qfg->bsg", token, patches, channel)
    image = np.zeros((b, h, w, out))
    for i in range(h):
        for j in range(w):
            f = (i % p) * p + j % p
            image[:, i, j] = y[:, (i // p) * cols + j // p, f * out : (f + 1) * out]
    return image


def exact_taps(size):
    """A_r with Σ_b (A_r)_{bc} S_b = S_{π_r(c)}: the permutation of the taps by rotation r (circular padding)."""
    shifts, exact = cloning.shift_structure(size, "circular"), cloning.exact_structure(size, "C4", "circular")
    return np.einsum("rcpq,dpq->rdc", exact, shifts) / size**2


def test_mix_patches_matches_pixel_reference_in_numpy_and_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 4, 2))
    token, channel = rng.normal(size=(3, 6, 6)), rng.normal(size=(3, 8, 4 * 5))
    want = reference_mix(x, token, channel, 2)
    np.testing.assert_allclose(mix_patches(x, token, channel, 2), want, rtol=1e-10, atol=1e-10)
    got = ops.convert_to_numpy(mix_patches(*(ops.convert_to_tensor(a, "float32") for a in (x, token, channel)), 2))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("size,patch", [(4, 2), (6, 2), (6, 3), (8, 4), (9, 3), (4, 1)])
def test_exact_factors_are_the_nine_circular_shifts(size, patch):
    token, channel = cloning.exact_mixer_factors(size, patch)
    maps = mixer_maps(token, channel, patch, size)
    np.testing.assert_array_equal(maps, cloning.shift_structure(size, "circular"))
    keras_maps = ops.convert_to_numpy(
        mixer_maps(ops.convert_to_tensor(token), ops.convert_to_tensor(channel), patch, size)
    )
    np.testing.assert_array_equal(keras_maps, maps)


def test_exact_mixer_conv_is_the_circular_lifting_conv_and_c4_equivariant(dtype):
    size, patch = 8, 2
    token, channel = cloning.exact_mixer_factors(size, patch)
    keras.utils.set_random_seed(1)
    mixer = ClonedMixerConv2D(3, exact_taps(size), token, channel, patch_size=patch, group="C4", dtype=dtype)
    x = np.random.default_rng(2).normal(size=(4, size, size, 2)).astype(dtype)
    mixer(x)
    mixer.bias.assign(np.arange(3, dtype=dtype))
    y = ops.convert_to_numpy(mixer(x))
    # the circular lifting convolution, in float64 NumPy: orientation t correlates with the kernel turned t·90°
    psi = ops.convert_to_numpy(mixer.kernel).astype("float64")
    padded = np.pad(x.astype("float64"), ((0, 0), (1, 1), (1, 1), (0, 0)), mode="wrap")
    want = np.zeros((4, size, size, 3, 4))
    for t in range(4):
        turned = np.rot90(psi, t, axes=(0, 1))
        for di in range(3):
            for dj in range(3):
                want[..., t] += np.einsum("bhwi,io->bhwo", padded[:, di : di + size, dj : dj + size], turned[di, dj])
    want = want + np.arange(3.0)[:, None]
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(y, want.reshape(4, size, size, 12), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(mixer.effective_structure(), cloning.exact_structure(size, "C4", "circular"), atol=1e-6)
    report = check_equivariance(mixer, "C4", x, in_action="image", out_action="field")
    assert len(report.errors) == 4 and report.max_error < tolerance


def test_exact_mixer_conv_equals_the_dense_cloned_conv():
    size, patch = 6, 3
    token, channel = cloning.exact_mixer_factors(size, patch)
    mixer = ClonedMixerConv2D(2, exact_taps(size), token, channel, patch_size=patch, group="C4")
    dense = ClonedConv2D(2, cloning.exact_structure(size, "C4", "circular"), group="C4")
    x = np.random.default_rng(3).normal(size=(2, size, size, 3)).astype("float32")
    mixer(x), dense(x)
    dense.kernel.assign(mixer.kernel)
    np.testing.assert_allclose(ops.convert_to_numpy(mixer(x)), ops.convert_to_numpy(dense(x)), atol=1e-5)


def test_random_mixer_conv_is_not_equivariant():
    """The check above can fail: random factors give a Mixer convolution far from C4-equivariant."""
    rng = np.random.default_rng(3)
    layer = ClonedMixerConv2D(
        2, rng.uniform(size=(4, 9, 9)), rng.normal(size=(9, 16, 16)), rng.normal(size=(9, 4, 36)), patch_size=2
    )
    x = rng.normal(size=(2, 8, 8, 1)).astype("float32")
    assert equivariance_error(layer, "C4", x, "image", "field").max_error > 0.1


class TestMixerLayerContracts(testing.TestCase):
    def test_patch_mixer(self):
        self.run_layer_test(
            PatchMixer,
            {"outputs": 5, "patch_size": 3, "token_maps": 2},
            input_shape=(2, 6, 9, 2),
            expected_output_shape=(2, 6, 9, 5),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
        )


def test_cloned_mixer_conv_saves_and_loads_exactly(tmp_path):
    rng = np.random.default_rng(4)
    factors = rng.uniform(size=(4, 9, 9)), rng.normal(size=(9, 9, 9)), rng.normal(size=(9, 4, 36))
    model = keras.Sequential(
        [keras.Input((6, 6, 2)), ClonedMixerConv2D(3, *factors, patch_size=2, structure_beta=0.5, activation="relu")]
    )
    x = rng.normal(size=(3, 6, 6, 2)).astype("float32")
    path = tmp_path / "mixer.keras"
    model.save(path)
    loaded = symkeras.load_model(path)
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)))
    layer = loaded.layers[0]
    assert layer.group is groups.C4 and layer.structure_beta == 0.5 and layer.patch_size == 2


def test_frozen_and_unfrozen_weights():
    rng = np.random.default_rng(5)
    factors = rng.uniform(size=(4, 9, 9)), rng.normal(size=(9, 4, 4)), rng.normal(size=(9, 4, 36))
    frozen = ClonedMixerConv2D(2, *factors, patch_size=2)
    unfrozen = ClonedMixerConv2D(2, *factors, patch_size=2, structure_trainable=True)
    x = rng.normal(size=(1, 4, 4, 1)).astype("float32")
    frozen(x), unfrozen(x)
    assert len(frozen.trainable_weights) == 2 and len(unfrozen.trainable_weights) == 5
    assert len(frozen.non_trainable_weights) == 4 and len(unfrozen.non_trainable_weights) == 1


def test_kl_penalty_is_zero_at_the_clone_and_grows_when_the_structure_moves():
    rng = np.random.default_rng(6)
    taps, token, channel = rng.uniform(size=(4, 9, 9)), rng.normal(size=(9, 4, 4)), rng.normal(size=(9, 4, 36))
    layer = ClonedMixerConv2D(2, taps, token, channel, patch_size=2, structure_trainable=True, structure_beta=2.0)
    x = rng.normal(size=(1, 4, 4, 1)).astype("float32")
    layer(x)
    assert abs(float(ops.convert_to_numpy(layer.losses[0]))) < 1e-5
    layer.channel.assign(channel + 0.3 * rng.normal(size=channel.shape))
    layer(x)
    assert float(ops.convert_to_numpy(layer.losses[0])) > 1e-2


def test_refusals_name_the_fix():
    rng = np.random.default_rng(7)
    with pytest.raises(ValueError, match="multiple of `patch_size`.*Received: side=7, patch_size=2"):
        PatchMixer(3, patch_size=2)(np.zeros((1, 7, 8, 1), "float32"))
    with pytest.raises(ValueError, match="`patch_size` must be a positive integer"):
        PatchMixer(3, patch_size=0)
    with pytest.raises(ValueError, match=r"`channel_maps` must have shape \(9, 4, 36\)"):
        ClonedMixerConv2D(2, rng.uniform(size=(4, 9, 9)), rng.normal(size=(9, 4, 4)), rng.normal(size=(9, 4, 9)))
    with pytest.raises(ValueError, match="Give all three"):
        ClonedMixerConv2D(2, taps=rng.uniform(size=(4, 9, 9)))
    with pytest.raises(ValueError, match="needs 8 tap maps"):
        ClonedMixerConv2D(
            2, rng.uniform(size=(4, 9, 9)), rng.normal(size=(9, 4, 4)), rng.normal(size=(9, 4, 36)), group="D4"
        )
    layer = ClonedMixerConv2D(2, rng.uniform(size=(4, 9, 9)), rng.normal(size=(9, 4, 4)), rng.normal(size=(9, 4, 36)))
    with pytest.raises(ValueError, match="cloned for 4×4 inputs"):
        layer(np.zeros((1, 6, 6, 1), "float32"))
