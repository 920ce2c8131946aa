"""Permutation symmetry: DeepSets layers for sets ``(batch, n, features)``."""

from __future__ import annotations

import keras
from keras import ops

from symkeras.layers.base import EquivariantMixin, is_int, mean

__all__ = ["PermutationEquivariantDense", "SetPooling"]

_REDUCTIONS = {"sum": ops.sum, "mean": mean, "max": ops.max}


def _get_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {sorted(_REDUCTIONS)}. Received: reduction={reduction!r}")
    return _REDUCTIONS[reduction]


class _SetLayer(EquivariantMixin):
    """Set layers are equivariant to ``symkeras.groups.SymmetricGroup(n)`` for every set size ``n``."""

    in_action = "set"

    def symmetry_group(self, x):
        from symkeras.groups import SymmetricGroup

        return SymmetricGroup(int(x.shape[1]))


@keras.saving.register_keras_serializable(package="symkeras")
class PermutationEquivariantDense(_SetLayer, keras.layers.Layer):
    """The general permutation-equivariant linear layer (DeepSets): ``y_i = x_i Λ + pool_j(x_j) Γ + b``.

    Every element is mapped by the same ``Λ``; ``Γ`` mixes in a summary of the whole set.  Permuting the input
    elements permutes the output elements the same way: ``f(σ·x) = σ·f(x)``.

    Args:
        units: output features per element.
        reduction: how the set summary is pooled: ``"mean"`` (default), ``"sum"`` or ``"max"``.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer:
            as in ``keras.layers.Dense``.

    Input shape:  ``(batch, n, features)``; ``n`` may vary.
    Output shape: ``(batch, n, units)``.
    """

    out_action = "set"

    def __init__(
        self,
        units,
        reduction="mean",
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not is_int(units) or units < 1:
            raise ValueError(f"`units` must be a positive int. Received: units={units!r}")
        _get_reduction(reduction)
        self.units, self.reduction, self.use_bias = int(units), reduction, bool(use_bias)
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"PermutationEquivariantDense expects (batch, set size, features) with known features. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        features = input_shape[-1]
        self.input_spec = keras.layers.InputSpec(ndim=3, axes={-1: features})
        self.element_kernel = self.add_weight(
            name="element_kernel",
            shape=(features, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.set_kernel = self.add_weight(
            name="set_kernel",
            shape=(features, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.bias = (
            self.add_weight(
                name="bias", shape=(self.units,), initializer=self.bias_initializer, regularizer=self.bias_regularizer
            )
            if self.use_bias
            else None
        )

    def call(self, inputs):
        pooled = _REDUCTIONS[self.reduction](inputs, axis=1, keepdims=True)
        outputs = ops.matmul(inputs, self.element_kernel) + ops.matmul(pooled, self.set_kernel)
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "reduction": self.reduction,
            "activation": keras.activations.serialize(self.activation) if self.activation is not None else None,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
        }


@keras.saving.register_keras_serializable(package="symkeras")
class SetPooling(_SetLayer, keras.layers.Layer):
    """Permutation-invariant pooling over the set axis: the ``Σ`` in DeepSets ``ρ(Σ_i φ(x_i))``.

    Args:
        reduction: ``"sum"`` (default, as in DeepSets), ``"mean"`` or ``"max"``.

    Input shape:  ``(batch, n, features…)``: at least 3-D (a 2-D input is refused: its axis 1 is not a set axis).
    Output shape: ``(batch, features…)``; ``f(σ·x) = f(x)`` for every permutation ``σ``.
    """

    out_action = "trivial"

    def __init__(self, reduction="sum", **kwargs):
        super().__init__(**kwargs)
        _get_reduction(reduction)
        self.reduction = reduction

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"SetPooling expects sets (batch, set size, features) and pools axis 1, the set axis. "
                f"A {len(input_shape)}-D input has no set axis: axis 1 would be the features. Give each "
                f"element its own row, e.g. x[:, :, None] for sets of scalars. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = keras.layers.InputSpec(min_ndim=3)

    def call(self, inputs):
        return _REDUCTIONS[self.reduction](inputs, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "reduction": self.reduction}
