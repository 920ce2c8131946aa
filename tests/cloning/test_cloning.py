"""Symmetry cloning: exact structures, convergence of the student, mlp2cnn / mlp2gcnn, KL-to-init, freezing."""

import time

import keras
import numpy as np
import pytest
from keras import ops

from symkeras import cloning, regularizers
from symkeras.equivariance import check_equivariance
from symkeras.groups import C4, TranslationGroup
from symkeras.layers import GroupConv2D, LiftingConv2D


def _value_and_grad(f, x):
    """``f(x)`` and ``∂f/∂x`` (NumPy) on whichever Keras backend runs the tests."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.Variable(x)
        with tf.GradientTape() as tape:
            value = f(x)
        return float(value), tape.gradient(value, x).numpy()
    if backend == "jax":
        import jax

        value, grad = jax.value_and_grad(f)(x)
        return float(value), np.asarray(grad)
    import torch

    x = torch.tensor(x, requires_grad=True)
    value = f(x)
    (grad,) = torch.autograd.grad(value, x)
    return float(value), grad.detach().cpu().numpy()


@pytest.mark.parametrize("group, padding", [("trivial", "valid"), ("trivial", "circular"), ("C4", "valid")])
def test_exact_structure_reproduces_the_teacher(group, padding, rng):
    n = 7
    e = cloning.exact_structure(n, group, padding)
    images, kernels = rng.normal(size=(5, n, n)), rng.normal(size=(5, 3, 3))
    want = cloning.teacher(images, kernels, group, padding)
    got = np.einsum("nc,rcpq,nq->npr", kernels.reshape(5, 9), e, images.reshape(5, -1))
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(
        cloning.exact_structure(n, "trivial", padding)[0], cloning.shift_structure(n, padding)
    )


def test_teacher_is_the_library_lifting_convolution(rng):
    images, kernel = rng.normal(size=(2, 9, 9)).astype("float32"), rng.normal(size=(3, 3)).astype("float32")
    layer = LiftingConv2D(1, 3, group="C4", use_bias=False)
    layer.build((None, 9, 9, 1))
    layer.kernel.assign(kernel[:, :, None, None])
    want = ops.convert_to_numpy(layer(images[..., None]))
    got = cloning.teacher(images, np.stack([kernel, kernel]), "C4")
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_translation_clone_converges_to_the_exact_shift_matrices():
    """With the tap map fixed to the identity, the 9 learned W_b must become the shift matrices themselves."""
    student = cloning.StructuredStudent(8, "trivial", learn_taps=False)
    report = cloning.clone(student, steps=1500, verbose=0)
    w = ops.convert_to_numpy(student.maps)
    assert np.abs(w - cloning.shift_structure(8)).max() < 1e-4, report
    assert report.heldout_relative_error < 1e-4


@pytest.mark.slow
def test_c4_clone_learns_rotated_tap_maps():
    student = cloning.StructuredStudent(8, "C4")
    report = cloning.clone(student, steps=800, verbose=0)
    assert report.structure_relative_error < 1e-3 and report.heldout_relative_error < 1e-3, report
    e = student.effective_maps()
    np.testing.assert_allclose(e, cloning.exact_structure(8, "C4"), atol=1e-3)


def test_cloned_structure_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMKERAS_DATA_DIR", str(tmp_path))
    first, info = cloning.cloned_structure(6, "trivial", steps=40, verbose=0)
    assert list((tmp_path / "clones").glob("trivial-valid-n6-steps40-seed0-sgd.npz"))
    start = time.perf_counter()
    second, again = cloning.cloned_structure(6, "trivial", steps=40, verbose=0)
    assert time.perf_counter() - start < 1.0
    np.testing.assert_array_equal(first, second)
    assert info == again
    # the stored maps are the student's: their distance to the exact maps is the one the report measured
    error = cloning.structure_error(first, cloning.exact_structure(6))
    assert error["max_abs"] == pytest.approx(info["structure_max_abs_error"], rel=1e-5)
    assert error["max_abs"] < 1.0  # all-zero maps would be 1.0 off


def _cnn():
    return keras.Sequential(
        [
            keras.Input((10, 10, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(3, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ],
        name="cnn",
    )


def test_mlp2cnn_equals_the_cnn(rng):
    cnn = _cnn()
    mlp = cloning.mlp2cnn(cnn)
    x = rng.normal(size=(3, 10, 10, 1)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(mlp(x)), ops.convert_to_numpy(cnn(x)), rtol=1e-5, atol=1e-5)
    assert sum(isinstance(layer, cloning.ClonedConv2D) for layer in mlp.layers) == 2


def test_circular_cloned_layer_is_translation_equivariant(rng):
    layer = cloning.ClonedConv2D(3, cloning.exact_structure(6, "trivial", "circular"), activation="relu")
    x = rng.normal(size=(2, 6, 6, 2)).astype("float32")
    report = check_equivariance(layer, TranslationGroup(6, 6), x, in_action="image", out_action="image")
    assert len(report.errors) == 36


def test_mlp2gcnn_equals_the_gcnn_and_is_c4_equivariant(rng):
    gcnn = keras.Sequential(
        [
            keras.Input((9, 9, 1)),
            LiftingConv2D(3, 3, activation="relu"),
            GroupConv2D(2, 3, bias_initializer="random_normal"),
        ],
        name="gcnn",
    )
    mlp = cloning.mlp2gcnn(gcnn)
    x = rng.normal(size=(2, 9, 9, 1)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(mlp(x)), ops.convert_to_numpy(gcnn(x)), rtol=1e-5, atol=1e-5)
    check_equivariance(mlp, C4, x, in_action="image", out_action="field")


def test_kl_to_init_is_zero_positive_and_pulls_back(rng):
    p0 = rng.normal(size=(2, 9, 5)).astype("float32")
    kl = regularizers.KLToInit(2.0, p0, axis=1)
    assert float(kl(ops.convert_to_tensor(p0))) == pytest.approx(0.0, abs=1e-6)
    delta = 0.3 * rng.normal(size=p0.shape).astype("float32")
    p = p0 + delta
    value, grad = _value_and_grad(kl, p)
    assert value > 0
    assert float(np.sum(grad * delta)) > 0, "the gradient must point away from P0 (descent pulls back)"
    assert float(kl(ops.convert_to_tensor(p - 0.05 * grad))) < value
    assert float(kl(ops.convert_to_tensor(p + 3.0))) == pytest.approx(value, rel=1e-4), "softmax ignores a shift"
    np.testing.assert_allclose(float(regularizers.kl_divergence(p0 + delta, p0)) * 2.0, float(value), rtol=1e-6)


def test_anchored_kl_also_sees_a_shift_common_to_all_taps(rng):
    p0 = rng.normal(size=(2, 9, 5)).astype("float32")
    kl = regularizers.KLToInit(1.0, p0, axis=1, anchored=True)
    assert float(kl(ops.convert_to_tensor(p0))) == pytest.approx(0.0, abs=1e-6)
    value, grad = _value_and_grad(kl, p0 + 0.5)  # the shift the plain KL cannot see
    assert value > 1e-3
    assert float(np.sum(grad)) > 0, "descent must pull the common shift back"
    # Known value, one slice: P₀ = 0, P = c·1 → a = (e^c, …, e^c, 1)/(9e^c + 1) against the uniform b = 1/10.
    c = 0.7
    a = np.append(np.full(9, np.exp(c)), 1.0) / (9 * np.exp(c) + 1)
    want = float(np.sum(a * np.log(a * 10)))
    got = float(regularizers.kl_divergence(np.full((1, 9), c, "float32"), np.zeros((1, 9), "float32"), anchored=True))
    assert got == pytest.approx(want, rel=1e-5)


def test_cloned_layer_with_anchored_kl_penalises_a_common_shift_and_plain_kl_does_not(rng):
    x = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    losses = {}
    for anchored in (False, True):
        layer = cloning.ClonedConv2D(
            2, cloning.exact_structure(6), structure_trainable=True, structure_beta=1.0, structure_anchored=anchored
        )
        layer(x)
        layer.structure.assign(layer.structure + 0.1)
        layer(x)
        losses[anchored] = float(sum(layer.losses))
        assert layer.get_config()["structure_anchored"] is anchored
    assert losses[False] == pytest.approx(0.0, abs=1e-4) and losses[True] > 0.1  # ≈ 576 slices × 4.5e-4


def test_kl_to_init_reports_each_cloned_layers_drift_in_float64(rng):
    mlp = cloning.mlp2cnn(_cnn(), structure_trainable=True)
    assert cloning.kl_to_init(mlp) == 0.0
    layers = [lay for lay in mlp.layers if isinstance(lay, cloning.ClonedConv2D)]
    for layer in layers:
        layer.structure.assign(layer.structure + 0.1 * rng.normal(size=layer.structure.shape).astype("float32"))
    want = sum(
        float(
            regularizers.kl_divergence(
                ops.convert_to_numpy(lay.structure).astype("float64"),
                ops.convert_to_numpy(lay.structure_init).astype("float64"),
            )
        )
        for lay in layers
    )
    assert len(layers) == 2 and want > 0
    assert cloning.kl_to_init(mlp) == pytest.approx(want, rel=1e-12)


def test_frozen_structure_does_not_change_in_fit_and_unfrozen_does(rng):
    mlp = cloning.mlp2cnn(_cnn())
    x, y = rng.normal(size=(16, 10, 10, 1)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    layer = [lay for lay in mlp.layers if isinstance(lay, cloning.ClonedConv2D)][0]
    before_structure, before_kernel = ops.convert_to_numpy(layer.structure), ops.convert_to_numpy(layer.kernel)
    assert cloning.freeze_structure(mlp) == 2
    mlp.compile("adam", "mse")
    mlp.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer.structure), before_structure)
    assert not np.array_equal(ops.convert_to_numpy(layer.kernel), before_kernel)
    assert cloning.unfreeze(mlp) == 2
    mlp.compile("adam", "mse")
    mlp.fit(x, y, epochs=2, verbose=0)
    assert not np.array_equal(ops.convert_to_numpy(layer.structure), before_structure)


def test_kl_regularised_layer_adds_a_loss_only_after_drift(rng):
    layer = cloning.ClonedConv2D(2, cloning.exact_structure(6), structure_trainable=True, structure_beta=1.0)
    x = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    layer(x)
    assert float(sum(layer.losses)) == pytest.approx(0.0, abs=1e-6)
    layer.structure.assign(layer.structure + 0.1 * rng.normal(size=layer.structure.shape).astype("float32"))
    layer(x)
    assert float(sum(layer.losses)) > 0


def test_cloned_model_saves_and_loads(tmp_path, rng):
    mlp = cloning.mlp2cnn(_cnn())
    x = rng.normal(size=(2, 10, 10, 1)).astype("float32")
    mlp.save(tmp_path / "mlp.keras")
    loaded = keras.models.load_model(tmp_path / "mlp.keras")
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(mlp(x)))


@pytest.mark.parametrize("group, padding", [("trivial", "valid"), ("C4", "valid"), ("C4", "circular")])
def test_training_batches_hold_the_teachers_outputs(group, padding):
    (kernels, images), targets = cloning.teacher_batch(np.random.default_rng(0), 7, 3, 2, group, padding)
    want = cloning.teacher(np.repeat(images, 2, axis=0), kernels.reshape(6, 3, 3), group, padding)
    np.testing.assert_allclose(targets.reshape(want.shape), want, rtol=1e-5, atol=1e-5)
