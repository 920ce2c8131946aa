"""Pooling that keeps exactness: over the group axis (invariant fields), onto a subgroup (fields over a smaller
group) and over space (symmetric grids only)."""

from __future__ import annotations

import itertools

import keras
import numpy as np
from keras import ops

from symkeras import groups as _groups
from symkeras.layers.base import (
    EquivariantMixin,
    check_sampling_grid,
    equivariant_output_size,
    mean,
    normalize_padding,
    normalize_square,
    pad_for_equivariance,
)

__all__ = ["GroupPooling", "SubgroupPooling", "GroupMaxPool2D", "GroupAvgPool2D", "GroupMaxPool3D", "GroupAvgPool3D"]


@keras.saving.register_keras_serializable(package="symkeras")
class GroupPooling(EquivariantMixin, keras.layers.Layer):
    """Orientation pooling: reduce each field over its group axis, ``out(p, c) = max_h f(p, c, h)`` (or mean).

    The result no longer changes with the orientation slot: ``GroupPooling(g·f) = g·GroupPooling(f)`` where ``g``
    moves the grid only (``act_on_image``), so each output channel is an ordinary invariant-type feature map.
    Works alike on images (planar groups) and volumes (cubic groups ``O``, ``Oh``): only the last axis is reduced.

    Args:
        group: the group whose axis is pooled (``"C4"``, ``"D4"``, …, ``"O"``, ``"Oh"``, or a group object).
        reduction: ``"max"`` (default) or ``"mean"``.

    Input shape:
        ``(batch, height, width, fields·|G|)`` or ``(batch, depth, height, width, fields·|G|)``, group index fastest.

    Output shape:
        ``(batch, height, width, fields)`` or ``(batch, depth, height, width, fields)``.
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


@keras.saving.register_keras_serializable(package="symkeras")
class SubgroupPooling(EquivariantMixin, keras.layers.Layer):
    """Pool a field over a group ``G`` onto a field over a subgroup ``H ≤ G``: partial symmetry breaking.

    With the right cosets ``G = H·r_0 ∪ H·r_1 ∪ …`` (:meth:`symkeras.groups.PlanarGroup.cosets`),

        ``out(p, c, h) = max_i f(p, c, h∘r_i)``  (or the mean over ``i``),

    one value per element ``h`` of ``H``, reduced over the ``[G:H]`` elements ``h∘r_i`` — one from each coset.  The
    result is exactly ``H``-equivariant: for ``k ∈ H``, ``[k·f](p, h∘r_i) = f(k⁻¹p, k⁻¹h∘r_i)``, so
    ``SubgroupPooling(k·f) = k·SubgroupPooling(f)`` with ``k`` acting on ``H``-fields.  Elements of ``G`` outside
    ``H`` have no such rule, and layers over ``H`` that follow (``GroupConv2D(group=H)``) can tell them apart: that
    is the point — e.g. ``D4 → D1`` keeps the left-right mirror symmetry but lets the network see which way is up.
    ``subgroup=G`` is the identity; ``subgroup="trivial"`` equals :class:`GroupPooling`.

    Args:
        group: the group ``G`` of the input field (``"D4"``, ``"C4"``, … or a ``PlanarGroup``).
        subgroup: the group ``H`` of the output field; must be a subgroup of ``group`` (``D4`` has ``C4``, ``D2``,
            ``D1``, ``C2`` and ``trivial``; ``C4`` has ``C2`` and ``trivial``).
        reduction: ``"max"`` (default) or ``"mean"``.

    Input shape:
        ``(batch, height, width, fields·|G|)``, group index fastest.

    Output shape:
        ``(batch, height, width, fields·|H|)``, group index fastest.

    Attributes:
        pooling_layout: ``"contiguous"`` or ``"strided"`` when the pooled sets ``{h∘r_i}`` are blocks of the group
            axis (read by a reshape), ``"gather"`` otherwise (one gather first, e.g. ``D4 → D2``).

    Raises:
        ValueError: for a ``subgroup`` that is not one of ``group`` (the message lists those that are), another
            ``reduction``, or input channels that are not a multiple of ``|G|``.

    Example:

    >>> import numpy as np, symkeras
    >>> layer = symkeras.layers.SubgroupPooling(group="D4", subgroup="C4")
    >>> layer(np.zeros((2, 9, 9, 3 * 8), "float32")).shape
    (2, 9, 9, 12)
    """

    out_action = "field"

    def __init__(self, group=_groups.D4, subgroup=_groups.C4, reduction="max", **kwargs):
        super().__init__(**kwargs)
        self.group = _groups.get(group)
        self.subgroup = _groups.get(subgroup)
        self.cosets = self.group.cosets(self.subgroup)  # raises if `subgroup` is not a subgroup of `group`
        if reduction not in ("max", "mean"):
            raise ValueError(f"`reduction` must be 'max' or 'mean'. Received: reduction={reduction!r}")
        self.reduction = reduction
        self.in_action = self.group.restricted_action(self.subgroup, on="field")
        # Only the *set* {h∘r_i} matters to a max or a mean.  When those sets are blocks of the group axis — contiguous
        # (D4 → D1, C4 → C2, any → trivial) or strided (D4 → C4, D2 → C2) — a reshape exposes them without a gather.
        sets = [sorted(column) for column in self.cosets.T.tolist()]
        index, order = self.cosets.shape[0], self.group.order
        if all(s == list(range(h * index, (h + 1) * index)) for h, s in enumerate(sets)):
            self.pooling_layout = "contiguous"
        elif all(s == list(range(h, order, self.subgroup.order)) for h, s in enumerate(sets)):
            self.pooling_layout = "strided"
        else:
            self.pooling_layout = "gather"

    def symmetry_group(self, x):
        return self.subgroup

    def build(self, input_shape):
        channels = input_shape[-1]
        fields, n = self.group.fields_in(channels, "SubgroupPooling", shape=input_shape), self.group.order
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: channels})
        # channel c·|G| + h∘r_i for output (c, h) and coset i, laid out (c, h, i) so a reshape exposes i last
        per_field = self.cosets.T.reshape(-1)  # [h, i] → h∘r_i
        self._gather = (np.arange(fields)[:, None] * n + per_field[None, :]).reshape(-1)

    def call(self, inputs):
        index, sub = self.cosets.shape[0], self.subgroup.order
        shape = ops.shape(inputs)
        fields = len(self._gather) // (index * sub)
        if self.pooling_layout == "strided":  # channel c·|G| + i·|H| + h
            picked, axis = ops.reshape(inputs, (*shape[:-1], fields, index, sub)), -2
        else:  # channel c·|G| + h·[G:H] + i, directly or after one gather
            source = inputs if self.pooling_layout == "contiguous" else ops.take(inputs, self._gather, axis=-1)
            picked, axis = ops.reshape(source, (*shape[:-1], fields, sub, index)), -1
        pooled = ops.max(picked, axis=axis) if self.reduction == "max" else mean(picked, axis=axis)
        return ops.reshape(pooled, (*shape[:-1], fields * sub))

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1]
        return (*input_shape[:-1], None if channels is None else channels // self.group.order * self.subgroup.order)

    def get_config(self):
        return {
            **super().get_config(),
            "group": self.group.name,
            "subgroup": self.subgroup.name,
            "reduction": self.reduction,
        }


class _SymmetricPooling:
    """Spatial pooling that refuses windows/strides whose grid is not symmetric about the image centre, or pads to
    make it symmetric (``padding="valid_equiv"`` / ``"same_equiv"``, as in :class:`LiftingConv2D`).

    Pooling acts on each channel separately, so it commutes with every rotation and flip (and with the group-axis
    permutation) exactly when the pooled grid is symmetric.  ``group`` is not needed and not taken.  The ``*_equiv``
    paddings pad with zeros (a zero counts as a value in the max, and in the mean's denominator).
    """

    rank = 2

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        if data_format not in (None, "channels_last"):
            raise ValueError(f"symkeras layers use channels_last. Received: data_format={data_format!r}")
        pool_size = normalize_square(pool_size, "pool_size", self.rank)
        strides = pool_size if strides is None else normalize_square(strides, "strides", self.rank)
        padding = normalize_padding(padding, pool_size, kernel_name="pool_size")
        keras_padding = "valid" if padding.endswith("_equiv") else padding
        super().__init__(
            pool_size=pool_size, strides=strides, padding=keras_padding, data_format="channels_last", **kwargs
        )
        self.equivariant_padding = padding  # what the user asked for; Keras' own `padding` is what it runs

    def build(self, input_shape):
        check_sampling_grid(input_shape, self.pool_size[0], self.strides[0], self.equivariant_padding, self)
        super().build(input_shape)

    def call(self, inputs):
        if self.equivariant_padding.endswith("_equiv"):
            inputs = pad_for_equivariance(inputs, self.pool_size[0], self.strides[0], self.equivariant_padding, self)
        else:
            shape = tuple(inputs.shape)
            if None not in shape[1 : 1 + self.rank]:
                check_sampling_grid(shape, self.pool_size[0], self.strides[0], self.padding, self)
        if (
            self.rank == 3
            and keras.backend.backend() == "tensorflow"
            and keras.backend.standardize_dtype(inputs.dtype) in ("float64", "float16")
        ):
            return self._pool_by_slices(inputs)  # TensorFlow's 3-D pooling on CPU has no float64/float16 kernels
        return super().call(inputs)

    def _pool_by_slices(self, x):
        """The same pooling as one strided slice per window offset, reduced elementwise (any dtype)."""
        k, stride, rank = self.pool_size[0], self.strides[0], self.rank
        is_max = isinstance(self, keras.layers.MaxPooling3D)
        pad = (k - 1) // 2 if self.padding == "same" else 0
        counts = ops.ones_like(x[:1, ..., :1])
        if pad:
            widths = [(0, 0)] + [(pad, pad)] * rank + [(0, 0)]
            x = ops.pad(x, widths, constant_values=float("-inf") if is_max else 0.0)
            counts = ops.pad(counts, widths)
        shape = ops.shape(x)
        ends = [(shape[1 + i] - k) // stride * stride + 1 for i in range(rank)]

        def windows(t):
            return [
                t[(slice(None), *(slice(o, o + e, stride) for o, e in zip(offset, ends)), slice(None))]
                for offset in itertools.product(range(k), repeat=rank)
            ]

        if is_max:
            return ops.max(ops.stack(windows(x)), axis=0)
        return ops.sum(ops.stack(windows(x)), axis=0) / ops.sum(ops.stack(windows(counts)), axis=0)

    def compute_output_shape(self, input_shape):
        def out(n):
            return equivariant_output_size(n, self.pool_size[0], self.strides[0], self.equivariant_padding)

        return (input_shape[0], *(out(n) for n in input_shape[1 : 1 + self.rank]), input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "padding": self.equivariant_padding}


@keras.saving.register_keras_serializable(package="symkeras")
class GroupMaxPool2D(_SymmetricPooling, keras.layers.MaxPooling2D):
    """``keras.layers.MaxPooling2D`` restricted to rotation-symmetric grids (channels-last).

    ``padding="valid"``: needs ``(n − pool_size) % strides == 0`` for both spatial sizes ``n``; ``"same"``: needs
    ``(n − 1) % strides == 0`` and an odd ``pool_size``; otherwise ``build`` raises a ``ValueError`` naming the sizes
    that would work (e.g. ``pool_size=2`` needs even height and width).  ``"valid_equiv"`` / ``"same_equiv"`` pad
    both sides equally, with zeros, by the minimum that makes the grid symmetric for the size at call time (any size,
    also unknown), refusing only an even stride with an odd ``n − pool_size``, where no equal padding can help.

    Input shape: ``(batch, height, width, channels)`` — images or fields alike.
    Output shape: ``(batch, (n + P − pool_size) // strides + 1, …, channels)``, ``P`` the total padding.
    """


@keras.saving.register_keras_serializable(package="symkeras")
class GroupAvgPool2D(_SymmetricPooling, keras.layers.AveragePooling2D):
    """``keras.layers.AveragePooling2D`` restricted to rotation-symmetric grids; see :class:`GroupMaxPool2D`."""


@keras.saving.register_keras_serializable(package="symkeras")
class GroupMaxPool3D(_SymmetricPooling, keras.layers.MaxPooling3D):
    """``keras.layers.MaxPooling3D`` restricted to grids symmetric under the cube's rotations (channels-last).

    Valid when ``(n − pool_size) % strides == 0`` for depth, height and width ('valid' padding), or
    ``(n − 1) % strides == 0`` with an odd ``pool_size`` ('same' padding); ``pool_size`` and ``strides`` must be
    cubic (one int).  Otherwise ``build`` raises a ``ValueError`` naming the sizes that would work.  (On TensorFlow,
    whose 3-D pooling on CPU has no float64 or float16 kernel, those inputs are pooled as strided slices: the same
    values.)

    Input shape: ``(batch, depth, height, width, channels)`` — volumes or fields over ``O``/``Oh`` alike.
    """

    rank = 3


@keras.saving.register_keras_serializable(package="symkeras")
class GroupAvgPool3D(_SymmetricPooling, keras.layers.AveragePooling3D):
    """``keras.layers.AveragePooling3D`` restricted to cube-symmetric grids; see :class:`GroupMaxPool3D`."""

    rank = 3
