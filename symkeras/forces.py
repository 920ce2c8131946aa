"""Energies and forces of atoms: an energy model ``E(x)`` and its forces ``F = −∂E/∂x`` by automatic differentiation.

Forces computed as the gradient of an energy are *conservative* (no energy is created along a closed path) and
inherit the energy's symmetry: if ``E(x Rᵀ + t) = E(x)`` for every rotation or reflection ``R`` and translation
``t``, the chain rule gives ``F(x Rᵀ + t) = F(x) Rᵀ`` — the forces turn with the atoms, exactly.  The same holds for
relabelling the atoms.  So an invariant energy model (:func:`egnn_energy`) gives exactly equivariant forces, and a
model that only approximates invariance (:func:`mlp_energy`, on raw coordinates) gives forces that are only as
equivariant as it is invariant.

:class:`ForceField` wraps any energy model (positions ``(batch, n, 3)`` → energies ``(batch, 1)``) into a Keras
model whose outputs are ``{"energy": (batch,), "forces": (batch, n, 3)}``; it trains with ``fit`` on all three
backends (the gradient inside ``call`` is TensorFlow's ``GradientTape``, ``jax.vjp`` or ``torch.autograd.grad``,
differentiated again by the optimiser).
"""

from __future__ import annotations

import keras
from keras import ops

from symkeras.layers import EGNNLayer, SetPooling

__all__ = ["ForceField", "egnn_energy", "mlp_energy", "energy_and_forces"]


def energy_and_forces(energy_model, positions, training=False):
    """``(E, −∂E/∂x)`` of ``energy_model`` at ``positions`` ``(batch, n, 3)``: energies ``(batch,)`` and forces
    ``(batch, n, 3)``, differentiable again (so a loss on the forces can train the model)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        positions = tf.convert_to_tensor(positions)
        with tf.GradientTape() as tape:
            tape.watch(positions)
            energy = ops.reshape(energy_model(positions, training=training), (-1,))
        gradient = tape.gradient(energy, positions)
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        energy, pullback = jax.vjp(
            lambda x: ops.reshape(energy_model(x, training=training), (-1,)), jnp.asarray(positions)
        )
        (gradient,) = pullback(jnp.ones_like(energy))
    elif backend == "torch":
        import torch

        create_graph = torch.is_grad_enabled()  # False under predict's no_grad: forces only, no second derivative
        with torch.enable_grad():
            x = ops.convert_to_tensor(positions).detach().requires_grad_(True)
            energy = ops.reshape(energy_model(x, training=training), (-1,))
            (gradient,) = torch.autograd.grad(energy.sum(), x, create_graph=create_graph)
        if not create_graph:
            energy, gradient = energy.detach(), gradient.detach()
    else:
        raise ValueError(
            f"Forces need automatic differentiation of the energy, written here for the tensorflow, jax and torch "
            f"backends. Received: backend={backend!r}"
        )
    return energy, -gradient


@keras.saving.register_keras_serializable(package="symkeras")
class ForceField(keras.Model):
    """A conservative force field: ``energy_model`` gives ``E(x)``; this model returns ``E`` and ``F = −∂E/∂x``.

    Args:
        energy_model: a Keras model from positions ``(batch, n, 3)`` to energies ``(batch, 1)`` or ``(batch,)``.

    The wrapper takes the dtype of the energy model's input (or its dtype policy) unless ``dtype`` is given (Keras casts a model's inputs to its
    compute dtype, so a float32 wrapper would round float64 positions before the energy model sees them).

    Input: positions ``(batch, n, 3)``.  Output: ``{"energy": (batch,), "forces": (batch, n, 3)}``; compile with a
    loss per key, e.g. ``loss={"forces": "mse", "energy": "mse"}``.

    Example::

        field = ForceField(egnn_energy(units=16, layers=2))
        out = field(np.random.normal(size=(4, 13, 3)).astype("float32"))
        out["energy"].shape, out["forces"].shape  # (4,), (4, 13, 3)
    """

    def __init__(self, energy_model, **kwargs):
        if isinstance(energy_model, keras.Model):  # positions reach the energy model in its own dtype (e.g. float64)
            inputs = getattr(energy_model, "inputs", None)
            kwargs.setdefault("dtype", inputs[0].dtype if inputs else energy_model.dtype_policy)
        super().__init__(**kwargs)
        if not isinstance(energy_model, keras.Model):
            raise ValueError(
                "`energy_model` must be a keras.Model from positions (batch, n, 3) to energies (batch, 1), e.g. "
                f"egnn_energy() or mlp_energy(atoms). Received: energy_model={energy_model!r}"
            )
        self.energy_model = energy_model

    def call(self, positions, training=False):
        energy, forces = energy_and_forces(self.energy_model, positions, training=training)
        return {"energy": energy, "forces": forces}

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] != 3:
            raise ValueError(f"ForceField expects positions (batch, n, 3). Received: input_shape={tuple(input_shape)}")
        if not self.energy_model.built:
            self.energy_model.build(input_shape)
        self.built = True

    def get_config(self):
        return {**super().get_config(), "energy_model": keras.saving.serialize_keras_object(self.energy_model)}

    @classmethod
    def from_config(cls, config):
        """Rebuild from :meth:`get_config`, deserialising the energy model first."""
        config = dict(config)
        config["energy_model"] = keras.saving.deserialize_keras_object(config["energy_model"])
        return cls(**config)


def egnn_energy(units=32, layers=3, atoms=None, length_scale=1.0, dtype=None, name="egnn_energy") -> keras.Model:
    """An invariant energy model: ``layers`` :class:`~symkeras.layers.EGNNLayer` s on positions ``(batch, n, 3)``
    (one kind of atom: every point starts with ``h = 1``), then a per-atom energy ``ε_i = Dense(1)(silu(Dense(units)
    (h_i)))`` summed over the atoms, ``E = Σ_i ε_i`` ``(batch, 1)``.

    ``E`` is exactly invariant to rotations, reflections, translations and permutations of the atoms (up to float
    round-off), for any number of atoms ``n ≥ 2`` (``atoms=None``) or a fixed one.  Positions are divided by
    ``length_scale`` first (e.g. a typical bond length), so that squared distances enter the messages near 1; a
    rescaling commutes with every rotation, reflection and permutation and keeps translations translations.
    ``dtype`` (e.g. ``"float64"``) is given to the input and every layer."""
    if not isinstance(layers, int) or layers < 1:
        raise ValueError(f"`layers` must be a positive int. Received: layers={layers!r}")
    if not length_scale > 0:
        raise ValueError(f"`length_scale` must be positive (in the units of the positions). Received: {length_scale!r}")
    positions = keras.Input((atoms, 3), dtype=dtype)
    h, x = EGNNLayer(units, dtype=dtype)(keras.layers.Rescaling(1.0 / length_scale, dtype=dtype)(positions))
    for _ in range(layers - 1):
        h, x = EGNNLayer(units, dtype=dtype)([h, x])
    h = keras.layers.Dense(units, activation="silu", dtype=dtype)(h)
    per_atom = keras.layers.Dense(1, dtype=dtype)(h)
    return keras.Model(positions, SetPooling("sum", dtype=dtype)(per_atom), name=name)


def mlp_energy(atoms, hidden=(128, 128), length_scale=1.0, dtype=None, name="mlp_energy") -> keras.Model:
    """A plain energy model on raw coordinates: the ``atoms × 3`` positions flattened, ``Dense(silu)`` per entry of
    ``hidden``, ``Dense(1)``.  No symmetry is built in: it must learn from data that rotating the molecule or
    relabelling its atoms leaves the energy alone.  Positions are divided by ``length_scale`` first; ``dtype`` is given
    to the input and every layer."""
    if not isinstance(atoms, int) or atoms < 1:
        raise ValueError(f"`atoms` must be the number of atoms (a positive int). Received: atoms={atoms!r}")
    positions = keras.Input((atoms, 3), dtype=dtype)
    x = keras.layers.Flatten(dtype=dtype)(keras.layers.Rescaling(1.0 / length_scale, dtype=dtype)(positions))
    for width in hidden:
        x = keras.layers.Dense(width, activation="silu", dtype=dtype)(x)
    return keras.Model(positions, keras.layers.Dense(1, dtype=dtype)(x), name=name)
