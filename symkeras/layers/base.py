"""Shared pieces of the symkeras layers: argument normalisation, sampling-grid checks, the equivariance mixin."""

from __future__ import annotations

import numpy as np
from keras import ops


def mean(x, axis, keepdims=False):
    """``ops.sum / n``: the mean in the input's own dtype (Keras' ``ops.mean`` computes float64 inputs in float32 on
    JAX and PyTorch, which would blur float64 equivariance checks)."""
    return ops.sum(x, axis=axis, keepdims=keepdims) / ops.cast(ops.shape(x)[axis], x.dtype)


def is_int(value) -> bool:
    """Python or NumPy integer, but not a bool: the one rule for integer arguments across symkeras."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


_TUPLE = {2: ("a pair", "square", "height and width"), 3: ("a triple", "cubic", "depth, height and width")}


def spatial_axes(input_shape) -> tuple:
    """Names of the spatial axes 1, 2(, 3) of a channels-last image (4-D) or volume (5-D) shape."""
    return ("height", "width") if len(input_shape) <= 4 else ("depth", "height", "width")


def normalize_square(value, name: str, rank: int = 2) -> int:
    """An int, or ``rank`` equal ints (a pair for images, a triple for volumes), as one int ≥ 1; otherwise a
    ``ValueError`` that says why."""
    tuple_name, shape_name, axes = _TUPLE[rank]
    if is_int(value):
        values = (value,) * rank
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = ()
    if len(values) != rank or not all(is_int(v) for v in values):
        hint = f" Use {name}={int(value)}." if isinstance(value, float) and float(value).is_integer() else ""
        raise ValueError(f"`{name}` must be an int or {tuple_name} of ints.{hint} Received: {name}={value!r}")
    if len(set(values)) > 1:
        raise ValueError(
            f"`{name}` must be {shape_name}: a 90° rotation swaps {axes}, so unequal values break "
            f"rotation equivariance. Use {name}={values[0]}. Received: {name}={value!r}"
        )
    if values[0] < 1:
        raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
    return int(values[0])


PADDINGS = ("valid", "same", "valid_equiv", "same_equiv")


def normalize_padding(padding, kernel_size: int, kernel_name: str = "kernel_size") -> str:
    """One of :data:`PADDINGS` (case-insensitive); ``"same"`` only with an odd window (it must pad symmetrically)."""
    padding = str(padding).lower()
    if padding not in PADDINGS:
        raise ValueError(
            f"`padding` must be one of {', '.join(repr(p) for p in PADDINGS)}. Received: padding={padding!r}"
        )
    if padding == "same" and kernel_size % 2 == 0:
        raise ValueError(
            f"padding='same' with an even {kernel_name} pads one side more than the other, which "
            f"breaks rotation equivariance. Use an odd {kernel_name} (e.g. {kernel_size + 1}), "
            f"padding='same_equiv' (pads {kernel_size} pixels, half on each side) or padding='valid'. "
            f"Received: padding='same', {kernel_name}={kernel_size}"
        )
    return padding


def _impossible_parity_message(layer, axis, n, window: int, stride: int, padding: str) -> str:
    return (
        f"{type(layer).__name__}: padding={padding!r} cannot make the grid of strides={stride} symmetric for an "
        f"input {axis} of {n} pixels: padding both sides equally changes n - {window} by an even amount, and an "
        f"even stride needs n - {window} (here {n - window}, odd) to be even. No padding keeps this layer exact; "
        f"use an input {axis} of {n - 1} or {n + 1}, an odd stride, or strides=1."
    )


def equivariant_padding(n, window: int, stride: int, padding: str, layer=None, axis: str = "height") -> int:
    """Total padding ``P`` (even: ``P/2`` pixels on each side) that makes the sampling grid rotation-symmetric.

    Windows of size ``window`` moved with ``stride`` over ``n + P`` pixels end exactly at the far border iff
    ``(n + P − window) % stride == 0``; with equal padding on both sides the grid is then symmetric about the centre
    and every rotation and flip maps it onto itself.  ``P`` is the smallest even number with that property that is
    at least 0 (``"valid_equiv"``) or at least ``window − 1`` (``"same_equiv"``: ``"same"``, plus the minimum extra),
    and leaves room for one window.  An odd ``stride`` always has one; an even ``stride`` only when ``n − window`` is
    even, since equal padding cannot change its parity: then this raises a ``ValueError`` that says so.
    """
    base = 0 if padding == "valid_equiv" else window - 1 + (window - 1) % 2
    extra = (-(n + base - window)) % stride
    if extra % 2:
        if stride % 2 == 0:
            raise ValueError(_impossible_parity_message(layer, axis, n, window, stride, padding))
        extra += stride
    total = base + extra
    if n + total < window:  # a tiny input: grow by whole periods (2·stride keeps residue and parity)
        total += 2 * stride * -(-(window - n - total) // (2 * stride))
    return total


def equivariant_output_size(n, window: int, stride: int, padding: str):
    """Output length along one axis for any of :data:`PADDINGS` (``None`` for an unknown ``n``)."""
    if n is None:
        return None
    if padding == "same":
        return (n - 1) // stride + 1
    if padding == "valid":
        return (n - window) // stride + 1
    return (n + equivariant_padding(n, window, stride, padding) - window) // stride + 1


def pad_for_equivariance(inputs, window: int, stride: int, padding: str, layer):
    """Pad ``(batch, H, W, C)`` (or ``(batch, D, H, W, C)``) by :func:`equivariant_padding` on each spatial axis,
    from the size at call time.

    Static sizes are padded (or refused) in Python.  An unknown size — only TensorFlow graphs have those; JAX and
    PyTorch always trace with concrete shapes — is padded by the same rule computed with tensor arithmetic, and an
    even stride with an odd ``n − window`` fails a ``tf.debugging`` assertion carrying the same explanation.
    """
    from keras import ops

    shape = ops.shape(inputs)
    pads = []
    for i, axis in enumerate(spatial_axes(shape)):
        n = shape[1 + i]
        if isinstance(n, (int, np.integer)):
            total = equivariant_padding(int(n), window, stride, padding, layer, axis)
            pads.append([total // 2, total // 2])
            continue
        base = 0 if padding == "valid_equiv" else window - 1 + (window - 1) % 2
        extra = (-(n + base - window)) % stride
        if stride % 2 == 0:
            import tensorflow as tf  # dynamic sizes exist only in TensorFlow graphs

            tf.debugging.assert_equal(
                extra % 2,
                0,
                message=(
                    f"{type(layer).__name__}: padding={padding!r} cannot make the grid of strides={stride} symmetric "
                    f"for this input {axis}: an even stride needs an even (n - {window}), and equal padding on both "
                    f"sides cannot change its parity. No padding keeps this layer exact."
                ),
            )
        else:
            extra = extra + stride * (extra % 2)
        total = base + extra
        total = total + 2 * stride * ops.maximum(0, (window - n - total + 2 * stride - 1) // (2 * stride))
        pads.append([total // 2, total // 2])
    return ops.pad(inputs, [[0, 0], *pads, [0, 0]])


def check_window_fits(input_shape, window: int, padding: str, layer) -> None:
    """'valid' needs at least one window: TensorFlow would otherwise return an uninitialised tensor, not raise."""
    if padding != "valid":
        return
    for axis, n in zip(spatial_axes(input_shape), input_shape[1:]):
        if n is not None and n < window:
            raise ValueError(
                f"{type(layer).__name__}: the input {axis} {n} is smaller than the window {window}, so "
                f"padding='valid' has no output position. Use a larger input or padding='same' / "
                f"'valid_equiv'. Received: input_shape={tuple(input_shape)}"
            )


def check_sampling_grid(input_shape, window: int, stride: int, padding: str, layer) -> None:
    """Reject strides whose sampled positions are not symmetric about the image centre.

    A window of size ``window`` moved with ``stride`` over an axis of ``n`` pixels samples a grid that every rotation
    and flip maps onto itself iff it ends exactly at the far border: ``(n − window) % stride == 0`` for 'valid'
    padding, ``(n − 1) % stride == 0`` for symmetric 'same' padding.  The ``*_equiv`` paddings pad to meet that
    rule at call time, so they are checked only where no padding can (:func:`equivariant_padding`).
    """
    check_window_fits(input_shape, window, padding, layer)
    if padding in ("valid_equiv", "same_equiv"):
        for axis, n in zip(spatial_axes(input_shape), input_shape[1:]):
            if n is not None:
                equivariant_padding(n, window, stride, padding, layer, axis)
        return
    if stride == 1:
        return
    names = spatial_axes(input_shape)
    sizes = tuple(input_shape[1 : 1 + len(names)])
    if None in sizes:
        example = ", ".join(["29"] * len(names))
        raise ValueError(
            f"{type(layer).__name__} with strides={stride} and padding={padding!r} needs a known input "
            f"{' and '.join(names)} to check that its sampling grid is rotation-symmetric. Use "
            f"padding='valid_equiv' or 'same_equiv' (pads the minimum needed at call time), or give the "
            f"model a fixed input size, e.g. keras.Input(shape=({example}, C)). "
            f"Received: input_shape={tuple(input_shape)}"
        )
    span = window if padding == "valid" else 1
    for axis, n in zip(names, sizes):
        if (n - span) % stride:
            below = n - (n - span) % stride
            raise ValueError(
                f"{type(layer).__name__}: strides={stride} with padding={padding!r} and window {window} samples "
                f"the input {axis} of {n} pixels on a grid that is not symmetric about the centre, so rotated inputs "
                f"would be sampled at different points. Need (n - {span}) % {stride} == 0: use an input {axis} of "
                f"{below} or {below + stride}, strides=1, or padding='{padding}_equiv' to pad the minimum needed. "
                f"Received: input_shape={tuple(input_shape)}"
            )


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

        return equivariance_error(self, self.symmetry_group(x), x, in_action=self.in_action, out_action=self.out_action)

    def check_equivariance(self, x, tolerance=None):
        """Like :meth:`equivariance_error`, but raises ``AssertionError`` over the dtype's tolerance."""
        from symkeras.equivariance import check_equivariance

        return check_equivariance(
            self, self.symmetry_group(x), x, in_action=self.in_action, out_action=self.out_action, tolerance=tolerance
        )
