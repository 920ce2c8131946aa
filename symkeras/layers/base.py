"""Shared pieces of the symkeras layers: argument normalisation, sampling-grid checks, the equivariance mixin."""

from __future__ import annotations

import numpy as np
from keras import ops


def mean(x, axis, keepdims=False):
    """``ops.sum / n``: the mean in the input's own dtype (Keras' ``ops.mean`` computes float64 inputs in float32 on
    JAX and PyTorch, which would blur float64 equivariance checks)."""
    return ops.sum(x, axis=axis, keepdims=keepdims) / ops.cast(ops.shape(x)[axis], x.dtype)


def normalize_square(value, name: str) -> int:
    """An int, or a pair of equal ints, as one int ≥ 1; otherwise a ``ValueError`` that says why."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"`{name}` must be an int or a pair of ints. Received: {name}={value!r}")
    if pair[0] != pair[1]:
        raise ValueError(f"`{name}` must be square: a 90° rotation swaps height and width, so unequal values break "
                         f"rotation equivariance. Use {name}={pair[0]}. Received: {name}={value!r}")
    if pair[0] < 1:
        raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
    return int(pair[0])


def normalize_padding(padding, kernel_size: int, kernel_name: str = "kernel_size") -> str:
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    if padding == "same" and kernel_size % 2 == 0:
        raise ValueError(f"padding='same' with an even {kernel_name} pads one side more than the other, which "
                         f"breaks rotation equivariance. Use an odd {kernel_name} (e.g. {kernel_size + 1}) or "
                         f"padding='valid'. Received: padding='same', {kernel_name}={kernel_size}")
    return padding


def check_sampling_grid(input_shape, window: int, stride: int, padding: str, layer) -> None:
    """Reject strides whose sampled positions are not symmetric about the image centre.

    A window of size ``window`` moved with ``stride`` over an axis of ``n`` pixels samples a grid that every rotation
    and flip maps onto itself iff it ends exactly at the far border: ``(n − window) % stride == 0`` for 'valid'
    padding, ``(n − 1) % stride == 0`` for symmetric 'same' padding.
    """
    if stride == 1:
        return
    height, width = input_shape[1], input_shape[2]
    if height is None or width is None:
        raise ValueError(f"{type(layer).__name__} with strides={stride} needs a known input height and width to "
                         f"check that its sampling grid is rotation-symmetric. Give the model a fixed input size, "
                         f"e.g. keras.Input(shape=(29, 29, C)). Received: input_shape={tuple(input_shape)}")
    span = window if padding == "valid" else 1
    for axis, n in (("height", height), ("width", width)):
        if n < window and padding == "valid":
            raise ValueError(f"{type(layer).__name__}: the input {axis} {n} is smaller than the window {window}. "
                             f"Received: input_shape={tuple(input_shape)}")
        if (n - span) % stride:
            below = n - (n - span) % stride
            raise ValueError(
                f"{type(layer).__name__}: strides={stride} with padding={padding!r} and window {window} samples "
                f"the input {axis} of {n} pixels on a grid that is not symmetric about the centre, so rotated inputs "
                f"would be sampled at different points. Need (n - {span}) % {stride} == 0: use an input {axis} of "
                f"{below} or {below + stride}, or strides=1. Received: input_shape={tuple(input_shape)}")


class EquivariantMixin:
    """``layer.check_equivariance(x)``: assert ``layer(g·x) = g·layer(x)`` for every element of its group.

    Subclasses set ``in_action`` and ``out_action`` (``"image"``, ``"field"``, ``"set"`` or ``"trivial"``) and,
    unless the group is ``self.group``, override ``symmetry_group(x)``.
    """

    in_action = "field"
    out_action = "field"

    def symmetry_group(self, x):
        return self.group

    def equivariance_error(self, x):
        """Relative error per group element, as a :class:`symkeras.equivariance.EquivarianceReport`."""
        from symkeras.equivariance import equivariance_error

        return equivariance_error(self, self.symmetry_group(x), x, in_action=self.in_action,
                                  out_action=self.out_action)

    def check_equivariance(self, x, tolerance=None):
        """Like :meth:`equivariance_error`, but raises ``AssertionError`` over the dtype's tolerance."""
        from symkeras.equivariance import check_equivariance

        return check_equivariance(self, self.symmetry_group(x), x, in_action=self.in_action,
                                  out_action=self.out_action, tolerance=tolerance)
