"""E(n)-equivariant message passing on point clouds (EGNN, Satorras, Hoogeboom & Welling 2021).

A point cloud is ``n`` points with per-point scalar features ``h`` ``(batch, n, f)`` (atom types, charges: they do
not move when space moves) and positions ``x`` ``(batch, n, 3)``.  Messages are computed from invariant quantities
only — the two points' features and their squared distance — and positions are updated along the relative vectors
``x_i − x_j``, so rotating, reflecting, translating or relabelling the points changes nothing but the positions'
frame and the order of the rows (:class:`symkeras.groups.EuclideanGroup`).
"""

from __future__ import annotations

import keras
from keras import ops

from symkeras.layers.base import EquivariantMixin, is_int

__all__ = ["EGNNLayer", "relative_vectors", "squared_distances"]


def _dense(a, kernel):
    """``a @ kernel`` over the last axis, as an einsum: Keras' ``ops.matmul`` on PyTorch returns float32 for float64
    operands (Keras 3.15), which would hide a 1e-12 equivariance check behind float32 round-off."""
    return ops.einsum("...i,ij->...j", a, kernel)


def relative_vectors(x):
    """``r_ij = x_i − x_j`` for positions ``(batch, n, 3)``: shape ``(batch, n, n, 3)``.

    Translations cancel; a rotation ``R`` turns every ``r_ij`` into ``R r_ij``; relabelling the points permutes both
    pair axes."""
    return ops.expand_dims(x, 2) - ops.expand_dims(x, 1)


def squared_distances(x):
    """``d_ij = |x_i − x_j|²`` for positions ``(batch, n, 3)``: shape ``(batch, n, n, 1)``.

    The invariant edge feature of EGNN: unchanged by rotations, reflections and translations (``|R r| = |r|`` for
    orthogonal ``R``), permuted with the points.  Squared, not the distance itself, because ``|r|`` has no gradient
    at ``r = 0`` (the diagonal ``i = j``)."""
    return ops.sum(ops.square(relative_vectors(x)), axis=-1, keepdims=True)


@keras.saving.register_keras_serializable(package="symkeras")
class EGNNLayer(EquivariantMixin, keras.layers.Layer):
    """One E(n)-equivariant graph layer on a fully connected point cloud (Satorras, Hoogeboom & Welling 2021, eq. 3–6):

    ``m_ij = φ_e(h_i, h_j, |x_i − x_j|²)`` for ``j ≠ i``,
    ``x_i' = x_i + 1/(n−1) · Σ_{j≠i} (x_i − x_j) φ_x(m_ij)``,
    ``h_i' = φ_h(h_i, 1/(n−1) · Σ_{j≠i} m_ij)`` (plus ``h_i`` when ``residual`` and the widths agree).

    The paper sums the messages; averaging them (as the positions' update does) keeps ``h'`` of order one whatever
    ``n`` is, so that a stack of layers starts with energies of order one instead of hundreds.

    ``φ_e`` is two dense layers (``units`` each, ``activation`` after both), ``φ_x`` a dense layer and a bias-free
    scalar output (started near zero, so positions move little at first), ``φ_h`` a dense layer with ``activation``
    and a linear one.  Every input to an MLP is invariant and every position update is a sum of relative vectors
    times invariants, so for any rotation or reflection ``R``, translation ``t`` and permutation ``σ`` of the points:
    ``f(σ·h, σ·(x Rᵀ + t)) = (σ·h', σ·(x' Rᵀ + t))`` — exact up to float round-off.

    Args:
        units: width of the messages and of the output features ``h'``.
        activation: activation of the hidden layers (default ``"silu"``: smooth, so forces ``−∂E/∂x`` computed
            through the layer are smooth too).
        update_positions: if ``False``, ``x' = x`` (an invariant layer on the features only).
        residual: add ``h`` to ``h'`` when ``f == units``.
        kernel_initializer, bias_initializer: as in ``keras.layers.Dense``.

    Input: ``[h, x]`` with ``h`` ``(batch, n, f)`` and ``x`` ``(batch, n, 3)``, or positions ``x`` alone (every point
    then has the one feature ``h = 1``: one kind of atom).  ``n ≥ 2`` and may vary between calls.

    Output: ``[h', x']`` with shapes ``(batch, n, units)`` and ``(batch, n, 3)``.

    Raises:
        ValueError: ``units`` not a positive int; positions whose last axis is not 3; ``h`` and ``x`` with different
            numbers of points.

    Example::

        h, x = EGNNLayer(16)(np.random.normal(size=(2, 13, 3)).astype("float32"))
        h.shape, x.shape  # (2, 13, 16), (2, 13, 3)
    """

    in_action = "points"
    out_action = "points"

    def __init__(
        self,
        units,
        activation="silu",
        update_positions=True,
        residual=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not is_int(units) or units < 1:
            raise ValueError(f"`units` must be a positive int (the message width). Received: units={units!r}")
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.update_positions, self.residual = bool(update_positions), bool(residual)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def symmetry_group(self, x):
        from symkeras.groups import EuclideanGroup

        positions = x[1] if isinstance(x, (tuple, list)) else x
        return EuclideanGroup(reflections=True, translations=True, atoms=int(positions.shape[1]))

    @staticmethod
    def _split_shapes(input_shape):
        if (
            isinstance(input_shape, (list, tuple))
            and len(input_shape) == 2
            and isinstance(input_shape[0], (list, tuple))
        ):
            return tuple(input_shape[0]), tuple(input_shape[1])
        return None, tuple(input_shape)

    def build(self, input_shape):
        h_shape, x_shape = self._split_shapes(input_shape)
        if len(x_shape) != 3 or x_shape[-1] != 3:
            raise ValueError(
                "EGNNLayer expects positions (batch, n, 3) — alone, or as [h, x] after per-point features h "
                f"(batch, n, f). Received: input_shape={input_shape}"
            )
        if h_shape is not None:
            if len(h_shape) != 3 or h_shape[-1] is None:
                raise ValueError(
                    f"EGNNLayer expects features h (batch, n, f) with known f. Received: input_shape={input_shape}"
                )
            if None not in (h_shape[1], x_shape[1]) and h_shape[1] != x_shape[1]:
                raise ValueError(
                    f"h and x must describe the same points: h has {h_shape[1]} rows, x has {x_shape[1]}. "
                    f"Received: input_shape={input_shape}"
                )
        features = 1 if h_shape is None else int(h_shape[-1])
        self.features = features
        u = self.units

        def weight(name, shape, initializer=None):
            return self.add_weight(name=name, shape=shape, initializer=initializer or self.kernel_initializer)

        # φ_e: [h_i, h_j, d_ij] → u → u, the first layer split by input so that no (n, n, 2f+1) concat is built
        self.edge_self, self.edge_other = weight("edge_self", (features, u)), weight("edge_other", (features, u))
        self.edge_distance = weight("edge_distance", (1, u))
        self.edge_bias = weight("edge_bias", (u,), self.bias_initializer)
        self.edge_kernel, self.edge_bias_2 = (
            weight("edge_kernel", (u, u)),
            weight("edge_bias_2", (u,), self.bias_initializer),
        )
        # φ_h: [h_i, m_i] → u → u
        self.node_self, self.node_message = weight("node_self", (features, u)), weight("node_message", (u, u))
        self.node_bias = weight("node_bias", (u,), self.bias_initializer)
        self.node_kernel, self.node_bias_2 = (
            weight("node_kernel", (u, u)),
            weight("node_bias_2", (u,), self.bias_initializer),
        )
        if self.update_positions:  # φ_x: m_ij → u → 1 (no bias), small at first as in the paper's code
            self.coord_kernel, self.coord_bias = (
                weight("coord_kernel", (u, u)),
                weight("coord_bias", (u,), self.bias_initializer),
            )
            self.coord_out = weight("coord_out", (u, 1), keras.initializers.VarianceScaling(1e-6))

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            h, x = inputs
        else:
            x = inputs
            h = ops.ones_like(x[..., :1])
        n = ops.shape(x)[1]
        act = self.activation
        pairs = relative_vectors(x)  # (b, n, n, 3): x_i − x_j
        d2 = ops.sum(ops.square(pairs), axis=-1, keepdims=True)  # (b, n, n, 1), the same rule as squared_distances
        mask = ops.expand_dims(1 - ops.eye(n, dtype=x.dtype), -1)  # no message from a point to itself
        pre = (
            ops.expand_dims(_dense(h, self.edge_self), 2)
            + ops.expand_dims(_dense(h, self.edge_other), 1)
            + d2 * self.edge_distance
            + self.edge_bias
        )
        m = act(_dense(act(pre), self.edge_kernel) + self.edge_bias_2) * mask  # (b, n, n, u)
        if self.update_positions:
            w = _dense(act(_dense(m, self.coord_kernel) + self.coord_bias), self.coord_out)  # (b, n, n, 1)
            x = x + ops.sum(pairs * w * mask, axis=2) / ops.cast(n - 1, x.dtype)
        messages = ops.sum(m, axis=2) / ops.cast(n - 1, x.dtype)  # (b, n, u): the mean message over the others
        out = (
            _dense(
                act(_dense(h, self.node_self) + _dense(messages, self.node_message) + self.node_bias), self.node_kernel
            )
            + self.node_bias_2
        )
        if self.residual and self.features == self.units:
            out = out + h
        return [out, x]

    def compute_output_shape(self, input_shape):
        _, x_shape = self._split_shapes(input_shape)
        return [(*x_shape[:-1], self.units), x_shape]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "update_positions": self.update_positions,
            "residual": self.residual,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
