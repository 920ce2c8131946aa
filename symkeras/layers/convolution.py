"""Group convolutions: ``LiftingConv2D`` (image → field) and ``GroupConv2D`` (field → field).

Both store each filter once and, at call time, *expand* it into its ``|G|`` transformed copies (one gather with
indices precomputed from :mod:`symkeras.groups`), then run one ordinary ``conv2d``.  The input is never rotated.

For output orientation ``t`` the filter is the stored filter transformed by ``t``:
``ψ_t(q, s) = ψ(t⁻¹q, t⁻¹s)`` — rotate/flip its taps and (for group convolutions) permute its input slots.
Then ``[f ⋆ ψ_t](p) = Σ_q Σ_s ψ_t(q, s) f(p + q, s)`` satisfies ``(g·f) ⋆ ψ = g·(f ⋆ ψ)`` exactly.
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

__all__ = ["filter_bank_indices", "expand_filter_bank", "LiftingConv2D", "GroupConv2D"]


@functools.cache
def filter_bank_indices(group, kernel_size: int, in_slots: int) -> np.ndarray:
    """Gather indices ``idx[t, i, j, s]`` into a flattened ``(k, k, in_slots)`` filter: tap ``(i, j)``, slot ``s``
    of the copy for output orientation ``t`` is stored tap ``idx[t, i, j, s]``.

    Computed by acting with ``t`` on an array of tap numbers — the same ``act_on_image`` (``in_slots == 1``) or
    ``act_on_field`` (``in_slots == |G|``) that moves the data, so filters and data can never disagree.
    """
    group = _groups.get(group)
    taps = np.arange(kernel_size * kernel_size * in_slots).reshape(1, kernel_size, kernel_size, in_slots)
    act = group.act_on_image if in_slots == 1 else group.act_on_field
    return np.stack([act(taps, t)[0] for t in group.elements])


@functools.cache
def _expansion_matrix(group, kernel_size: int, in_slots: int) -> np.ndarray:
    """One-hot ``(|G|·k²·S, k²·S)`` matrix whose product with the flattened taps performs the gather."""
    idx = filter_bank_indices(group, kernel_size, in_slots).reshape(-1)
    return np.eye(kernel_size * kernel_size * in_slots, dtype="float32")[idx]


def _gather_taps(w, group, kernel_size: int, in_slots: int, xp):
    """Rows ``idx`` of the flattened taps ``w``.  For backend tensors, a product with a one-hot matrix: exact
    (1·w + 0·…), and its gradient is a dense product rather than a scatter, which keeps forward+backward within a few
    percent of a plain convolution.  Keras computes float64 products in float32 on JAX/PyTorch, so there (and for
    NumPy) it is a plain gather."""
    if xp is np or (keras.backend.standardize_dtype(w.dtype) == "float64" and keras.backend.backend() != "tensorflow"):
        return xp.take(w, filter_bank_indices(group, kernel_size, in_slots).reshape(-1), axis=0)
    return xp.matmul(xp.cast(_expansion_matrix(group, kernel_size, in_slots), w.dtype), w)


def expand_filter_bank(kernel, group, lifting: bool):
    """Expand stored filters into the full bank of a lifting (``lifting=True``) or group convolution.

    Args:
        kernel: ``(k, k, in_fields·S, filters)`` with ``S = 1`` for lifting and ``S = |G|`` for group convolution
            (input channel ``c·S + s``).
        group: a planar group or its name.
        lifting: whether the input is an image (``S = 1``) or a field over ``group``.

    Returns:
        ``(k, k, in_fields·S, filters·|G|)``: output channel ``o·|G| + t`` holds filter ``o`` transformed by ``t``.
        A NumPy array for NumPy input, a backend tensor otherwise.
    """
    group = _groups.get(group)
    xp = _groups.array_namespace(kernel)
    k, _, channels, filters = tuple(int(d) for d in kernel.shape)
    slots = 1 if lifting else group.order
    fields, n = channels // slots, group.order
    w = xp.reshape(kernel, (k, k, fields, slots, filters))
    w = xp.reshape(xp.transpose(w, (0, 1, 3, 2, 4)), (k * k * slots, fields * filters))
    w = xp.reshape(_gather_taps(w, group, k, slots, xp), (n, k, k, slots, fields, filters))
    return xp.reshape(xp.transpose(w, (1, 2, 4, 3, 5, 0)), (k, k, fields * slots, filters * n))


class _GroupConvBase(EquivariantMixin, keras.layers.Layer):
    lifting: bool

    def __init__(self, filters, kernel_size, group=_groups.C4, strides=1, padding="valid", activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not is_int(filters) or filters < 1:
            raise ValueError(f"`filters` (fields per group element) must be a positive int. Received: filters={filters!r}")
        self.filters = int(filters)
        self.group = _groups.get(group)
        self.kernel_size = normalize_square(kernel_size, "kernel_size")
        self.strides = normalize_square(strides, "strides")
        self.padding = normalize_padding(padding, self.kernel_size)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)

    def _check_channels(self, channels, input_shape) -> None:
        if channels is None:
            raise ValueError(f"{type(self).__name__} needs a known number of input channels. "
                             f"Received: input_shape={tuple(input_shape)}")

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"{type(self).__name__} expects 4-D input (batch, height, width, channels). "
                             f"Received: input_shape={tuple(input_shape)}")
        channels = input_shape[-1]
        self._check_channels(channels, input_shape)
        check_sampling_grid(input_shape, self.kernel_size, self.strides, self.padding, self)
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: channels})
        self.kernel = self.add_weight(name="kernel", shape=(self.kernel_size, self.kernel_size, channels, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def expanded_kernel(self):
        """The full filter bank ``(k, k, in_channels, filters·|G|)`` that the convolution uses."""
        return expand_filter_bank(self.kernel, self.group, lifting=self.lifting)

    def call(self, inputs):
        padding = self.padding
        if padding in ("valid_equiv", "same_equiv"):  # the minimum symmetric padding for the size seen now
            inputs, padding = pad_for_equivariance(inputs, self.kernel_size, self.strides, padding, self), "valid"
        else:
            shape = tuple(inputs.shape)
            if None not in shape[1:3]:  # the size may differ from the one seen by `build`
                check_sampling_grid(shape, self.kernel_size, self.strides, padding, self)
        outputs = ops.conv(inputs, self.expanded_kernel(), strides=self.strides, padding=padding,
                           data_format="channels_last")
        if self.use_bias:  # one bias per field, shared by its |G| orientations
            outputs = outputs + ops.repeat(self.bias, self.group.order)
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape):
        def out(n):
            return equivariant_output_size(n, self.kernel_size, self.strides, self.padding)

        return (input_shape[0], out(input_shape[1]), out(input_shape[2]), self.filters * self.group.order)

    def to_conv2d(self) -> keras.layers.Conv2D:
        """A plain, built ``keras.layers.Conv2D`` holding the expanded filter bank: same outputs, for deployment."""
        if self.padding not in ("valid", "same"):
            raise ValueError(f"to_conv2d: a Conv2D pads by a fixed rule, but padding={self.padding!r} pads by an "
                             f"amount that depends on the input size. Use padding='valid' or 'same' on an input size "
                             f"with a symmetric grid. Received: padding={self.padding!r}")
        kernel = ops.convert_to_numpy(self.expanded_kernel())
        conv = keras.layers.Conv2D(self.filters * self.group.order, self.kernel_size, strides=self.strides,
                                   padding=self.padding, activation=self.activation, use_bias=self.use_bias,
                                   dtype=self.dtype_policy, name=f"{self.name}_conv2d")
        conv.build((None, None, None, kernel.shape[2]))
        weights = [kernel] + ([np.repeat(ops.convert_to_numpy(self.bias), self.group.order)] if self.use_bias else [])
        conv.set_weights(weights)
        return conv

    def get_config(self):
        config = super().get_config()
        config.update({
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
        })
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

    def _check_channels(self, channels, input_shape) -> None:
        super()._check_channels(channels, input_shape)
        self.group.fields_in(channels, "GroupConv2D", shape=input_shape,
                             hint=f" (a field over the group, e.g. the output of LiftingConv2D). Got {channels} "
                                  f"channels; to convolve an image use LiftingConv2D")
