"""Pooling that keeps exactness: over the group axis (invariant fields) and over space (symmetric grids only)."""

from __future__ import annotations

import keras
from keras import ops

from symkeras import groups as _groups
from symkeras.layers.base import EquivariantMixin, check_sampling_grid, mean, normalize_padding, normalize_square

__all__ = ["GroupPooling", "GroupMaxPool2D", "GroupAvgPool2D"]


@keras.saving.register_keras_serializable(package="symkeras")
class GroupPooling(EquivariantMixin, keras.layers.Layer):
    """Orientation pooling: reduce each field over its group axis, ``out(p, c) = max_h f(p, c, h)`` (or mean).

    The result no longer changes with the orientation slot: ``GroupPooling(g·f) = g·GroupPooling(f)`` where ``g``
    moves the plane only (``act_on_image``), so each output channel is an ordinary invariant-type feature map.

    Args:
        group: the group whose axis is pooled (``"C4"``, ``"D4"``, … or a ``PlanarGroup``).
        reduction: ``"max"`` (default) or ``"mean"``.

    Input shape:
        ``(batch, height, width, fields·|G|)``, group index fastest.

    Output shape:
        ``(batch, height, width, fields)``.
    """

    in_action, out_action = "field", "image"

    def __init__(self, group=_groups.C4, reduction="max", **kwargs):
        super().__init__(**kwargs)
        self.group = _groups.get(group)
        if reduction not in ("max", "mean"):
            raise ValueError(f"`reduction` must be 'max' or 'mean'. Received: reduction={reduction!r}")
        self.reduction = reduction

    def build(self, input_shape):
        channels = input_shape[-1]
        self.group.fields_in(channels, "GroupPooling", shape=input_shape)
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: channels})

    def call(self, inputs):
        fields = _groups.split_group_axis(inputs, self.group)
        if self.reduction == "max":
            return ops.max(fields, axis=-1)
        return mean(fields, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // self.group.order)

    def get_config(self):
        return {**super().get_config(), "group": self.group.name, "reduction": self.reduction}


class _SymmetricPooling:
    """Spatial pooling that refuses windows/strides whose grid is not symmetric about the image centre.

    Pooling acts on each channel separately, so it commutes with every rotation and flip (and with the group-axis
    permutation) exactly when the pooled grid is symmetric.  ``group`` is not needed and not taken.
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        if data_format not in (None, "channels_last"):
            raise ValueError(f"symkeras layers use channels_last. Received: data_format={data_format!r}")
        pool_size = normalize_square(pool_size, "pool_size")
        strides = pool_size if strides is None else normalize_square(strides, "strides")
        padding = normalize_padding(padding, pool_size, kernel_name="pool_size")
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format="channels_last", **kwargs)

    def build(self, input_shape):
        check_sampling_grid(input_shape, self.pool_size[0], self.strides[0], self.padding, self)
        super().build(input_shape)


@keras.saving.register_keras_serializable(package="symkeras")
class GroupMaxPool2D(_SymmetricPooling, keras.layers.MaxPooling2D):
    """``keras.layers.MaxPooling2D`` restricted to rotation-symmetric grids (channels-last).

    Valid when ``(n − pool_size) % strides == 0`` for both spatial sizes ``n`` ('valid' padding), or
    ``(n − 1) % strides == 0`` with an odd ``pool_size`` ('same' padding); otherwise ``build`` raises a
    ``ValueError`` naming the sizes that would work.  E.g. ``pool_size=2`` needs even height and width.

    Input shape: ``(batch, height, width, channels)`` — images or fields alike.
    """


@keras.saving.register_keras_serializable(package="symkeras")
class GroupAvgPool2D(_SymmetricPooling, keras.layers.AveragePooling2D):
    """``keras.layers.AveragePooling2D`` restricted to rotation-symmetric grids; see :class:`GroupMaxPool2D`."""
