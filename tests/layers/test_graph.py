"""EGNNLayer and ForceField: exact E(3)×S(n) equivariance (float32 and float64) against a NumPy reference of the
layer, forces equal to −∂E/∂x (finite differences), training through the forces, `.keras` round trips and fix-it
errors — on every backend (`make test-backends` re-runs tests/layers under JAX and PyTorch)."""

import keras
import numpy as np
import pytest
from keras import ops

from symkeras.equivariance import TOLERANCES, check_equivariance, check_invariance, equivariance_error
from symkeras.forces import ForceField, egnn_energy, energy_and_forces, mlp_energy
from symkeras.groups import O3, SO3, EuclideanGroup, SymmetricGroup
from symkeras.layers import EGNNLayer, relative_vectors, squared_distances

#: Keras' Dense (ops.matmul) computes float64 in float32 on PyTorch (Keras 3.15), so energy models with Dense layers
#: are float32-accurate there; EGNNLayer itself contracts with einsum and stays float64 on every backend.
DENSE_IS_FLOAT32 = keras.backend.backend() == "torch"


def _cloud(n=7, batch=3, features=None, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    x = (1.5 * rng.normal(size=(batch, n, 3))).astype(dtype)
    return x if features is None else [rng.normal(size=(batch, n, features)).astype(dtype), x]


def _np(t):
    return np.asarray(ops.convert_to_numpy(t), np.float64)


def _silu(v):
    return v / (1 + np.exp(-v))


def _reference(layer, h, x):
    """The layer's formula in NumPy (float64) with the layer's own weights."""
    w = {v.path.split("/")[-1]: _np(v) for v in layer.weights}
    n = x.shape[1]
    r = x[:, :, None] - x[:, None]
    d2 = (r**2).sum(-1, keepdims=True)
    mask = (1 - np.eye(n))[..., None]
    pre = (h @ w["edge_self"])[:, :, None] + (h @ w["edge_other"])[:, None] + d2 * w["edge_distance"] + w["edge_bias"]
    m = _silu(_silu(pre) @ w["edge_kernel"] + w["edge_bias_2"]) * mask
    coef = _silu(m @ w["coord_kernel"] + w["coord_bias"]) @ w["coord_out"]
    x_new = x + (r * coef * mask).sum(2) / (n - 1)
    hidden = _silu(h @ w["node_self"] + (m.sum(2) / (n - 1)) @ w["node_message"] + w["node_bias"])
    h_new = hidden @ w["node_kernel"] + w["node_bias_2"]
    return (h_new + h if h.shape[-1] == layer.units else h_new), x_new


@pytest.mark.parametrize("features", [4, 8])
def test_egnn_layer_matches_its_formula(features):
    h, x = _cloud(features=features, dtype="float64")
    layer = EGNNLayer(8, dtype="float64")
    layer.build([h.shape, x.shape])
    for v in layer.weights:  # coord_out starts near zero: give every weight a visible size
        v.assign(np.random.default_rng(len(v.path)).normal(scale=0.3, size=v.shape))
    h_out, x_out = layer([h, x])
    h_ref, x_ref = _reference(layer, h, x)
    np.testing.assert_allclose(_np(h_out), h_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_np(x_out), x_ref, rtol=1e-10, atol=1e-10)
    assert np.abs(x_ref - x).max() > 1e-2, "the positions really moved (the test would not see a wrong update)"


@pytest.mark.parametrize(
    "group",
    [
        SO3,
        EuclideanGroup(rotations=False, reflections=True),
        EuclideanGroup(rotations=False, translations=True),
        EuclideanGroup(reflections=True, translations=True, atoms=7),
    ],
    ids=lambda g: g.name,
)
def test_egnn_layer_is_exactly_equivariant(group, dtype):
    inputs = _cloud(features=5, dtype=dtype)
    layer = EGNNLayer(6, dtype=dtype)
    report = check_equivariance(layer, group, inputs, "points", "points", samples=6)
    assert report.max_error <= TOLERANCES[dtype] and len(report.errors) == 6


def test_egnn_layer_permutations_and_positions_alone(dtype):
    x = _cloud(n=6, dtype=dtype)
    layer = EGNNLayer(4, dtype=dtype)
    h, x_out = layer(x)
    assert tuple(h.shape) == (3, 6, 4) and tuple(x_out.shape) == (3, 6, 3)
    check_equivariance(layer, SymmetricGroup(6), x, "points", "points")  # all 720 relabellings
    assert layer.check_equivariance(x).max_error <= TOLERANCES[dtype]  # the layer's own group: E(3)×S(6)


def test_a_broken_update_is_caught():
    """The check is not vacuous: absolute positions in the message break it."""
    x = _cloud()
    layer = EGNNLayer(4)
    layer(x)
    report = equivariance_error(
        lambda p: [_np(layer(p)[0]), _np(layer(p)[1]) + 0.1 * p**2], O3, x, "points", "points", 4
    )
    assert report.max_error > 1e-2


def test_edge_features_are_invariant():
    x = _cloud(dtype="float64")
    r, d2 = _np(relative_vectors(x)), _np(squared_distances(x))
    assert r.shape == (3, 7, 7, 3) and d2.shape == (3, 7, 7, 1)
    np.testing.assert_allclose(d2[..., 0], ((x[:, :, None] - x[:, None]) ** 2).sum(-1), atol=1e-12)
    group = EuclideanGroup(reflections=True, translations=True)
    check_invariance(lambda p: squared_distances(p), group, x, in_action="points", samples=5)


def test_egnn_model_saves_and_loads(tmp_path):
    x = _cloud()
    positions = keras.Input((7, 3))
    h, p = EGNNLayer(8, name="egnn")(positions)
    h, p = EGNNLayer(8, activation="tanh", residual=False, update_positions=False)([h, p])
    model = keras.Model(positions, [h, p])
    path = tmp_path / "egnn.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(model(x), loaded(x)):
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-6)
    config = model.get_layer("egnn").get_config()
    assert EGNNLayer.from_config(config).get_config() == config


def test_egnn_layer_errors_say_what_to_change():
    with pytest.raises(ValueError, match=r"`units` must be a positive int.*Received: units=0"):
        EGNNLayer(0)
    with pytest.raises(ValueError, match=r"positions \(batch, n, 3\).*Received: input_shape"):
        EGNNLayer(4)(np.zeros((2, 5, 2), "float32"))
    with pytest.raises(ValueError, match=r"h has 4 rows, x has 5"):
        EGNNLayer(4)([np.zeros((2, 4, 3), "float32"), np.zeros((2, 5, 3), "float32")])


def test_forces_are_minus_the_energy_gradient():
    """F = −∂E/∂x against central finite differences (float64), for both energy models."""
    x = _cloud(n=5, batch=2, dtype="float64")
    for energy_model in (egnn_energy(8, 2, length_scale=2.0), mlp_energy(5, (16,))):
        energy_model = keras.Model.from_config(energy_model.get_config())  # a fresh copy
        field = ForceField(_float64(energy_model))
        forces = _np(field(x)["forces"])
        eps, numeric = (1e-3, np.zeros_like(x)) if DENSE_IS_FLOAT32 else (1e-6, np.zeros_like(x))
        for i in range(5):
            for k in range(3):
                step = np.zeros_like(x)
                step[:, i, k] = eps
                e_plus, e_minus = _np(field(x + step)["energy"]), _np(field(x - step)["energy"])
                numeric[:, i, k] = -(e_plus - e_minus) / (2 * eps)
        np.testing.assert_allclose(
            forces, numeric, **({"atol": 1e-3} if DENSE_IS_FLOAT32 else {"rtol": 1e-6, "atol": 1e-7})
        )
        energy, again = energy_and_forces(field.energy_model, x)
        assert tuple(energy.shape) == (2,) and np.allclose(_np(again), forces)


def _float64(model):
    config = model.get_config()
    for layer in config["layers"]:
        layer["config"]["dtype"] = "float64"
    return keras.Model.from_config(config)


def test_egnn_forces_are_exactly_equivariant_and_mlp_forces_are_not(dtype):
    x = _cloud(n=6, dtype=dtype)
    group = EuclideanGroup(reflections=True, translations=True, atoms=6)
    egnn = ForceField(_float64(egnn_energy(8, 2)) if dtype == "float64" else egnn_energy(8, 2))
    tolerance = 1e-6 if DENSE_IS_FLOAT32 and dtype == "float64" else None  # the readout's Dense layers
    check_invariance(lambda p: egnn(p)["energy"], group, x, in_action="points", samples=6, tolerance=tolerance)
    check_equivariance(lambda p: egnn(p)["forces"], group, x, "points", "vectors", samples=6, tolerance=tolerance)
    mlp = ForceField(mlp_energy(6, (16,)))
    assert equivariance_error(lambda p: mlp(p)["forces"], group, x, "points", "vectors", 6).max_error > 0.05


def test_force_field_trains_on_forces_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5, 3)).astype("float32")
    r = x[:, :, None] - x[:, None]
    d = np.linalg.norm(r, axis=-1, keepdims=True) + np.eye(5)[..., None]
    target = -np.sum((d - 1) * r / d, axis=2)  # unit springs between all pairs: an invariant energy's forces
    keras.utils.set_random_seed(0)
    field = ForceField(egnn_energy(8, 1))
    field.compile(keras.optimizers.Adam(1e-2), loss={"forces": "mse"})
    before = float(np.mean((_np(field(x)["forces"]) - target) ** 2))
    field.fit(x, {"forces": target}, batch_size=8, epochs=10, verbose=0)
    after = float(np.mean((_np(field(x)["forces"]) - target) ** 2))
    assert after < 0.5 * before, f"training through −∂E/∂x should lower the force error: {before:.3f} → {after:.3f}"
    path = tmp_path / "field.keras"
    field.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(_np(loaded(x)["forces"]), _np(field(x)["forces"]), atol=1e-5)


def test_force_model_errors():
    with pytest.raises(ValueError, match=r"`energy_model` must be a keras.Model"):
        ForceField(lambda x: x)
    with pytest.raises(ValueError, match=r"`atoms` must be the number of atoms"):
        mlp_energy(0)
    with pytest.raises(ValueError, match=r"`length_scale` must be positive"):
        egnn_energy(length_scale=0)
