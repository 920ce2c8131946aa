"""Group convolutions: ``LiftingConv2D``/``LiftingConv3D`` (image or volume → field), ``GroupConv2D``/``GroupConv3D``
(field → field) and ``GroupConv2DTranspose`` (field → field, upsampling).

All store each filter once and, at call time, *expand* it into its ``|G|`` transformed copies (one gather with
indices precomputed from :mod:`symkeras.groups`), then run one ordinary ``conv2d``.  The input is never rotated.

For output orientation ``t`` the filter is the stored filter transformed by ``t``:
``ψ_t(q, s) = ψ(t⁻¹q, t⁻¹s)`` — rotate/flip its taps and (for group convolutions) permute its input slots.
Then ``[f ⋆ ψ_t](p) = Σ_q Σ_s ψ_t(q, s) f(p + q, s)`` satisfies ``(g·f) ⋆ ψ = g·(f ⋆ ψ)`` exactly.  The same
construction serves planar groups on images (2-D taps) and cubic groups on volumes (3-D taps): ``t`` moves the taps
with the group's own ``act_on_image``/``act_on_field``.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
from keras import ops

from symkeras import groups as _groups
from symkeras.layers.base import (
    EquivariantMixin,
    check_sampling_grid,
    equivariant_output_size,
    is_int,
    normalize_padding,
    normalize_square,
    pad_for_equivariance,
)

__all__ = [
    "filter_bank_indices",
    "expand_filter_bank",
    "LiftingConv2D",
    "GroupConv2D",
    "LiftingConv3D",
    "GroupConv3D",
    "GroupConv2DTranspose",
]

#: Largest one-hot expansion matrix (entries) used on the backends; above it the taps are gathered (see _gather_taps).
_ONE_HOT_LIMIT = 1 << 21


@functools.cache
def filter_bank_indices(group, kernel_size: int, in_slots: int) -> np.ndarray:
    """Gather indices ``idx[t, *tap, s]`` into a flattened ``(k, …, k, in_slots)`` filter (``k`` once per spatial
    axis of the group: 2 for planar groups, 3 for cubic ones): tap ``tap``, slot ``s`` of the copy for output
    orientation ``t`` is stored tap ``idx[t, *tap, s]``.

    Computed by acting with ``t`` on an array of tap numbers — the same ``act_on_image`` (``in_slots == 1``) or
    ``act_on_field`` (``in_slots == |G|``) that moves the data, so filters and data can never disagree.
    """
    group = _groups.get(group)
    shape = (kernel_size,) * group.spatial_dims + (in_slots,)
    taps = np.arange(int(np.prod(shape))).reshape(1, *shape)
    act = group.act_on_image if in_slots == 1 else group.act_on_field
    return np.stack([act(taps, t)[0] for t in group.elements])


@functools.cache
def _expansion_matrix(group, kernel_size: int, in_slots: int) -> np.ndarray:
    """One-hot ``(|G|·kᵈ·S, kᵈ·S)`` matrix whose product with the flattened taps performs the gather."""
    idx = filter_bank_indices(group, kernel_size, in_slots).reshape(-1)
    return np.eye(kernel_size**group.spatial_dims * in_slots, dtype="float32")[idx]


def _gather_taps(w, group, kernel_size: int, in_slots: int, xp):
    """Rows ``idx`` of the flattened taps ``w``.  For backend tensors, a product with a one-hot matrix: exact
    (1·w + 0·…), and its gradient is a dense product rather than a scatter, which keeps forward+backward within a few
    percent of a plain convolution.  Keras computes float64 products in float32 on JAX/PyTorch, so there (and for
    NumPy) it is a plain gather; so it is when the one-hot matrix would be large (group convolutions over ``Oh``:
    ``48·27·48 × 27·48``), where the convolution costs far more than the gather's gradient."""
    taps = kernel_size**group.spatial_dims * in_slots
    if (
        xp is np
        or group.order * taps * taps > _ONE_HOT_LIMIT
        or (keras.backend.standardize_dtype(w.dtype) == "float64" and keras.backend.backend() != "tensorflow")
    ):
        return xp.take(w, filter_bank_indices(group, kernel_size, in_slots).reshape(-1), axis=0)
    return xp.matmul(xp.cast(_expansion_matrix(group, kernel_size, in_slots), w.dtype), w)


def expand_filter_bank(kernel, group, lifting: bool):
    """Expand stored filters into the full bank of a lifting (``lifting=True``) or group convolution.

    Args:
        kernel: ``(k, k, in_fields·S, filters)`` for a planar group, ``(k, k, k, in_fields·S, filters)`` for a cubic
            one, with ``S = 1`` for lifting and ``S = |G|`` for group convolution (input channel ``c·S + s``).
        group: a planar or cubic group, or its name.
        lifting: whether the input is an image/volume (``S = 1``) or a field over ``group``.

    Returns:
        ``(k, …, k, in_fields·S, filters·|G|)``: output channel ``o·|G| + t`` holds filter ``o`` transformed by ``t``.
        A NumPy array for NumPy input, a backend tensor otherwise.
    """
    group = _groups.get(group)
    xp = _groups.array_namespace(kernel)
    d = group.spatial_dims
    shape = tuple(int(s) for s in kernel.shape)
    if len(shape) != d + 2 or len(set(shape[:d])) != 1:
        raise ValueError(
            f"A {group.name} kernel has {d} equal spatial axes, then input channels and filters. "
            f"Received: kernel.shape={shape}"
        )
    k, channels, filters = shape[0], shape[d], shape[d + 1]
    slots = 1 if lifting else group.order
    fields, n, taps = channels // slots, group.order, k**d
    w = xp.reshape(kernel, (taps, fields, slots, filters))
    w = xp.reshape(xp.transpose(w, (0, 2, 1, 3)), (taps * slots, fields * filters))
    w = xp.reshape(_gather_taps(w, group, k, slots, xp), (n, taps, slots, fields, filters))
    return xp.reshape(xp.transpose(w, (1, 3, 2, 4, 0)), (k,) * d + (fields * slots, filters * n))


class _GroupConvBase(EquivariantMixin, keras.layers.Layer):
    lifting: bool
    rank: int = 2  # spatial axes: 2 (images, planar groups) or 3 (volumes, cubic groups)

    def __init__(
        self,
        filters,
        kernel_size,
        group=_groups.C4,
        strides=1,
        padding="valid",
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not is_int(filters) or filters < 1:
            raise ValueError(
                f"`filters` (fields per group element) must be a positive int. Received: filters={filters!r}"
            )
        self.filters = int(filters)
        self.group = _groups.get(group, spatial_dims=self.rank)
        self.kernel_size = normalize_square(kernel_size, "kernel_size", self.rank)
        self.strides = normalize_square(strides, "strides", self.rank)
        self.padding = self._normalize_padding(padding)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)

    def _normalize_padding(self, padding) -> str:
        return normalize_padding(padding, self.kernel_size)

    def _kernel_shape(self, channels) -> tuple:
        return (self.kernel_size,) * self.rank + (channels, self.filters)

    def _check_channels(self, channels, input_shape) -> None:
        if channels is None:
            raise ValueError(
                f"{type(self).__name__} needs a known number of input channels. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        if not self.lifting:
            lifting, data = f"LiftingConv{self.rank}D", "an image" if self.rank == 2 else "a volume"
            self.group.fields_in(
                channels,
                type(self).__name__,
                shape=input_shape,
                hint=f" (a field over the group, e.g. the output of {lifting}). Got {channels} "
                f"channels; to convolve {data} use {lifting}",
            )

    def build(self, input_shape):
        if len(input_shape) != self.rank + 2:
            space = "height, width" if self.rank == 2 else "depth, height, width"
            raise ValueError(
                f"{type(self).__name__} expects {self.rank + 2}-D input (batch, {space}, channels). "
                f"Received: input_shape={tuple(input_shape)}"
            )
        channels = input_shape[-1]
        self._check_channels(channels, input_shape)
        self._check_grid(input_shape)
        self.input_spec = keras.layers.InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.kernel = self.add_weight(
            name="kernel",
            shape=self._kernel_shape(channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _check_grid(self, shape) -> None:
        check_sampling_grid(shape, self.kernel_size, self.strides, self.padding, self)

    def expanded_kernel(self):
        """The full filter bank ``(k, …, k, in_channels, filters·|G|)`` that the convolution uses."""
        return expand_filter_bank(self.kernel, self.group, lifting=self.lifting)

    def _convolve(self, inputs, kernel, padding):
        return ops.conv(inputs, kernel, strides=self.strides, padding=padding, data_format="channels_last")

    def call(self, inputs):
        padding = self.padding
        if padding in ("valid_equiv", "same_equiv"):  # the minimum symmetric padding for the size seen now
            inputs, padding = pad_for_equivariance(inputs, self.kernel_size, self.strides, padding, self), "valid"
        else:
            shape = tuple(inputs.shape)
            if None not in shape[1 : 1 + self.rank]:  # the size may differ from the one seen by `build`
                self._check_grid(shape)
        outputs = self._convolve(inputs, self.expanded_kernel(), padding)
        if self.use_bias:  # one bias per field, shared by its |G| orientations
            outputs = outputs + ops.repeat(self.bias, self.group.order)
        return self.activation(outputs) if self.activation is not None else outputs

    def _output_size(self, n):
        return equivariant_output_size(n, self.kernel_size, self.strides, self.padding)

    def compute_output_shape(self, input_shape):
        space = tuple(self._output_size(n) for n in input_shape[1 : 1 + self.rank])
        return (input_shape[0], *space, self.filters * self.group.order)

    _plain_layer = {2: keras.layers.Conv2D, 3: keras.layers.Conv3D}

    def to_conv(self):
        """A plain, built ``keras.layers.Conv2D`` (or ``Conv3D``, or ``Conv2DTranspose``) holding the expanded filter
        bank: the same outputs from Keras' own layer, for deployment."""
        cls = self._plain_layer[self.rank]
        if self.padding not in ("valid", "same"):
            raise ValueError(
                f"to_{cls.__name__.lower()}: a {cls.__name__} pads by a fixed rule, but "
                f"padding={self.padding!r} pads by an amount that depends on the input size. Use "
                f"padding='valid' or 'same' on an input size with a symmetric grid. "
                f"Received: padding={self.padding!r}"
            )
        if not self.built:
            raise ValueError(
                f"{type(self).__name__} has no weights yet: call it on an input (or build it) before "
                f"exporting it. Received: layer {self.name!r}, built=False"
            )
        kernel = ops.convert_to_numpy(self.expanded_kernel())
        conv = cls(
            self.filters * self.group.order,
            self.kernel_size,
            strides=self.strides,
            padding=self.padding,
            activation=self.activation,
            use_bias=self.use_bias,
            dtype=self.dtype_policy,
            name=f"{self.name}_{cls.__name__.lower()}",
        )
        conv.build((None,) * (self.rank + 1) + (self._input_channels(kernel),))
        weights = [kernel] + ([np.repeat(ops.convert_to_numpy(self.bias), self.group.order)] if self.use_bias else [])
        conv.set_weights(weights)
        return conv

    def _input_channels(self, kernel) -> int:
        return kernel.shape[-2]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "group": self.group.name,
                "strides": self.strides,
                "padding": self.padding,
                "activation": keras.activations.serialize(self.activation) if self.activation is not None else None,
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": keras.regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
                "bias_constraint": keras.constraints.serialize(self.bias_constraint),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="symkeras")
class LiftingConv2D(_GroupConvBase):
    """Lifting convolution: an image becomes a feature field over a planar group (C4, D4, …).

    ``out(p, t) = Σ_q ψ(t⁻¹q) · x(p + q)``: each stored filter is correlated with the image in all ``|G|``
    orientations.  Equivariance: ``LiftingConv2D(g·x) = g·LiftingConv2D(x)`` where ``g`` moves the image
    (``act_on_image``) on the left and the field (``act_on_field``) on the right.

    Args:
        filters: number of output fields; the layer outputs ``filters·|G|`` channels.
        kernel_size: odd or even int (square; a pair must be equal).
        group: ``"C4"`` (default), ``"D4"``, ``"C2"``, ``"D2"``, ``"D1"``, ``"trivial"`` or a ``PlanarGroup``.
        strides: int; with ``strides > 1`` the sampling grid must be rotation-symmetric: the input size must fit it
            (``"valid"``/``"same"``), or the layer pads to fit (``"valid_equiv"``/``"same_equiv"``).
        padding: ``"valid"``, ``"same"`` (needs an odd ``kernel_size``: it must pad symmetrically),
            ``"valid_equiv"`` or ``"same_equiv"``: pad both sides equally by the minimum ``P`` (at least 0, or at least
            ``kernel_size − 1``) with ``(n + P − kernel_size) % strides == 0``, computed from the size at call time,
            so inputs of any (also unknown) size are exact.  An even stride with an odd ``n − kernel_size`` has no
            such ``P`` and is refused (see :func:`symkeras.layers.equivariant_padding`).
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as in ``keras.layers.Conv2D``; one bias per field.

    Input shape:
        ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, new_height, new_width, filters·|G|)``, group index fastest (channel ``o·|G| + t``);
        ``new = (n + P − kernel_size) // strides + 1`` with ``P`` the total padding of the mode.

    Raises:
        ValueError: for an unknown group, a non-square or non-positive ``kernel_size``/``strides``, ``"same"`` with
            an even kernel, an input smaller than the kernel with ``"valid"``, or strides whose sampling grid is not
            rotation-symmetric for the input size (and cannot be made so by the ``*_equiv`` paddings).

    Example:

    >>> import numpy as np, symkeras
    >>> layer = symkeras.layers.LiftingConv2D(8, 3, group="C4")
    >>> layer(np.zeros((2, 28, 28, 1), "float32")).shape
    (2, 26, 26, 32)
    """

    lifting = True
    in_action, out_action = "image", "field"

    def to_conv2d(self) -> keras.layers.Conv2D:
        """A plain, built ``keras.layers.Conv2D`` holding the expanded filter bank: same outputs, for deployment."""
        return self.to_conv()


@keras.saving.register_keras_serializable(package="symkeras")
class GroupConv2D(_GroupConvBase):
    """Group convolution: a feature field over a planar group becomes another one.

    ``out(p, t) = Σ_q Σ_s ψ(t⁻¹q, t⁻¹s) · f(p + q, s)``: the filter for output orientation ``t`` is the stored
    filter with its taps moved by ``t`` and its input slots permuted by ``t``.  Equivariance:
    ``GroupConv2D(g·f) = g·GroupConv2D(f)`` with ``g`` acting on fields (``act_on_field``) on both sides.

    Args:
        filters: number of output fields; the layer outputs ``filters·|G|`` channels.
        kernel_size, group, strides, padding, activation, use_bias, initializers, regularizers, constraints:
            as in :class:`LiftingConv2D`.

    Input shape:
        ``(batch, height, width, in_fields·|G|)``, group index fastest.

    Output shape:
        ``(batch, new_height, new_width, filters·|G|)``.

    Raises:
        ValueError: as :class:`LiftingConv2D`, and when the input channels are not a multiple of ``|G|``.

    Example:

    >>> import numpy as np, symkeras
    >>> layer = symkeras.layers.GroupConv2D(8, 3, group="C4", padding="same")
    >>> layer(np.zeros((2, 26, 26, 32), "float32")).shape
    (2, 26, 26, 32)
    """

    lifting = False
    in_action, out_action = "field", "field"

    def to_conv2d(self) -> keras.layers.Conv2D:
        """A plain, built ``keras.layers.Conv2D`` holding the expanded filter bank: same outputs, for deployment."""
        return self.to_conv()


@keras.saving.register_keras_serializable(package="symkeras")
class LiftingConv3D(_GroupConvBase):
    """Lifting convolution over the cube's symmetries: a volume becomes a feature field over ``O`` or ``Oh``.

    ``out(p, t) = Σ_q ψ(R_t⁻¹q) · x(p + q)``, with ``q`` running over the ``k × k × k`` taps: each stored filter is
    correlated with the volume in all ``|G|`` orientations (24 for ``O``, 48 for ``Oh``), which are exact axis
    permutations and flips of its taps.  Equivariance: ``LiftingConv3D(g·x) = g·LiftingConv3D(x)`` with ``g``
    moving the volume (``act_on_volume``) on the left and the field (``act_on_field``) on the right.

    Args:
        filters: number of output fields; the layer outputs ``filters·|G|`` channels.
        kernel_size: int (cubic; a triple must have equal entries).
        group: ``"O"`` (default) or ``"Oh"``, or a ``CubicGroup``.
        strides, padding, activation, use_bias, initializers, regularizers, constraints: as in
            :class:`LiftingConv2D` (strides need a sampling grid symmetric in depth, height and width).

    Input shape:
        ``(batch, depth, height, width, channels)``.

    Output shape:
        ``(batch, new_depth, new_height, new_width, filters·|G|)``, group index fastest (channel ``o·|G| + t``).

    Raises:
        ValueError: for a planar or unknown group, a non-cubic or non-positive ``kernel_size``/``strides``,
            ``"same"`` with an even kernel, or strides whose sampling grid is not symmetric for the input size.

    Example:

    >>> import numpy as np, symkeras
    >>> layer = symkeras.layers.LiftingConv3D(2, 3, group="O")
    >>> layer(np.zeros((1, 6, 6, 6, 1), "float32")).shape
    (1, 4, 4, 4, 48)
    """

    lifting = True
    rank = 3
    in_action, out_action = "image", "field"

    def __init__(self, filters, kernel_size, group=_groups.O, **kwargs):
        super().__init__(filters, kernel_size, group=group, **kwargs)

    def to_conv3d(self) -> keras.layers.Conv3D:
        """A plain, built ``keras.layers.Conv3D`` holding the expanded filter bank: same outputs, for deployment."""
        return self.to_conv()


@keras.saving.register_keras_serializable(package="symkeras")
class GroupConv3D(_GroupConvBase):
    """Group convolution over the cube's symmetries: a field over ``O`` or ``Oh`` on a volume becomes another one.

    ``out(p, t) = Σ_q Σ_s ψ(R_t⁻¹q, t⁻¹s) · f(p + q, s)``: the filter for output orientation ``t`` is the stored
    filter with its ``k³`` taps moved by ``t`` and its ``|G|`` input slots permuted by ``t``.  Equivariance:
    ``GroupConv3D(g·f) = g·GroupConv3D(f)`` with ``g`` acting on fields (``act_on_field``) on both sides.

    Args:
        filters: number of output fields; the layer outputs ``filters·|G|`` channels.
        kernel_size, group, strides, padding, activation, use_bias, initializers, regularizers, constraints:
            as in :class:`LiftingConv3D`.

    Input shape:
        ``(batch, depth, height, width, in_fields·|G|)``, group index fastest.

    Output shape:
        ``(batch, new_depth, new_height, new_width, filters·|G|)``.

    Raises:
        ValueError: as :class:`LiftingConv3D`, and when the input channels are not a multiple of ``|G|``.

    Example:

    >>> import numpy as np, symkeras
    >>> layer = symkeras.layers.GroupConv3D(2, 3, group="O", padding="same")
    >>> layer(np.zeros((1, 5, 5, 5, 24), "float32")).shape
    (1, 5, 5, 5, 48)
    """

    lifting = False
    rank = 3
    in_action, out_action = "field", "field"

    def __init__(self, filters, kernel_size, group=_groups.O, **kwargs):
        super().__init__(filters, kernel_size, group=group, **kwargs)

    def to_conv3d(self) -> keras.layers.Conv3D:
        """A plain, built ``keras.layers.Conv3D`` holding the expanded filter bank: same outputs, for deployment."""
        return self.to_conv()


@keras.saving.register_keras_serializable(package="symkeras")
class GroupConv2DTranspose(_GroupConvBase):
    """Transposed group convolution (upsampling): a field over a planar group becomes another, ``strides`` times
    larger.

    The adjoint of a :class:`GroupConv2D` from ``filters`` fields to the input's fields: each input value scatters
    its filter into the output,

        ``out(s·p + q, t) += Σ_c Σ_u ψ_c(u⁻¹q, u⁻¹t) · f_c(p, u)``  (``s`` = strides, ``q`` over the ``k × k`` taps),

    so the stored kernel has Keras' ``Conv2DTranspose`` layout ``(k, k, filters·|G|, in_fields)`` and is expanded
    exactly like a group convolution's.  The adjoint of an equivariant map under permutations is equivariant, hence
    ``GroupConv2DTranspose(g·f) = g·GroupConv2DTranspose(f)`` for every element, for every input size, whenever the
    output grid is symmetric about the centre, which needs ``kernel_size ≥ strides``: always with
    ``padding="valid"`` (output ``s·(n − 1) + k``), and with ``padding="same"`` when ``kernel_size − strides`` is
    even (output ``s·n``; the full result is cropped by ``(k − s)/2`` on each side).  Other settings would crop or
    pad one side more than the other and are refused.

    Args:
        filters: number of output fields; the layer outputs ``filters·|G|`` channels.
        kernel_size: int (square).
        group: ``"C4"`` (default), ``"D4"``, ``"C2"``, ``"D2"``, ``"D1"``, ``"trivial"`` or a ``PlanarGroup``.
        strides: upsampling factor (int, square).
        padding: ``"valid"`` or ``"same"`` (needs ``kernel_size − strides`` even); both need ``kernel_size ≥ strides``.
        activation, use_bias, initializers, regularizers, constraints: as in ``keras.layers.Conv2DTranspose``; one
            bias per field.

    Input shape:
        ``(batch, height, width, in_fields·|G|)``, group index fastest.

    Output shape:
        ``(batch, new_height, new_width, filters·|G|)`` with ``new = s·(n − 1) + k`` ('valid') or ``s·n`` ('same').

    Raises:
        ValueError: for an unknown or cubic group, a non-square ``kernel_size``/``strides``, a padding whose output
            grid is not symmetric, or input channels that are not a multiple of ``|G|``.

    Example:

    >>> import numpy as np, symkeras
    >>> layer = symkeras.layers.GroupConv2DTranspose(2, 4, group="C4", strides=2, padding="same")
    >>> layer(np.zeros((1, 7, 7, 12), "float32")).shape
    (1, 14, 14, 8)
    """

    lifting = False
    rank = 2
    in_action, out_action = "field", "field"
    _plain_layer = {2: keras.layers.Conv2DTranspose}

    def _normalize_padding(self, padding) -> str:
        padding = str(padding).lower()
        k, s = self.kernel_size, self.strides
        if padding not in ("valid", "same"):
            raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
        if k < s:
            raise ValueError(
                f"kernel_size < strides leaves gaps between the scattered filters that Keras fills on "
                f"the far side only, which breaks rotation equivariance. Use kernel_size >= {s} or "
                f"strides <= {k}. Received: kernel_size={k}, strides={s}, padding={padding!r}"
            )
        if padding == "same" and (k - s) % 2:
            raise ValueError(
                f"padding='same' crops kernel_size - strides = {k - s} rows and columns from the "
                f"full output, one more on one side than the other, which breaks rotation "
                f"equivariance. Use a kernel_size with the parity of strides (e.g. "
                f"kernel_size={k + 1}) or padding='valid'. Received: kernel_size={k}, strides={s}, "
                f"padding='same'"
            )
        return padding

    def _kernel_shape(self, channels) -> tuple:
        return (self.kernel_size, self.kernel_size, self.filters * self.group.order, channels // self.group.order)

    def _check_grid(self, shape) -> None:
        """Every input pixel is used: the output grid is symmetric for any input size (padding checked at init)."""

    def _convolve(self, inputs, kernel, padding):
        return ops.conv_transpose(inputs, kernel, strides=self.strides, padding=padding, data_format="channels_last")

    def _output_size(self, n):
        if n is None:
            return None
        return n * self.strides if self.padding == "same" else (n - 1) * self.strides + self.kernel_size

    def _input_channels(self, kernel) -> int:
        return kernel.shape[-1]

    def to_conv2d_transpose(self) -> keras.layers.Conv2DTranspose:
        """A plain, built ``keras.layers.Conv2DTranspose`` holding the expanded filter bank: same outputs."""
        return self.to_conv()
