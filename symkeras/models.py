"""Model builders with explicit parameter counts: MLP, Z2CNN-style CNN, P4CNN-style G-CNN, and width matching.

The CNN and the G-CNN share one topology (after Cohen & Welling 2016, "Group Equivariant Convolutional Networks"):
seven 3×3 convolutions (the last 4×4) with batch norm and ReLU, 2×2 max-pooling after the second, on 28×28 inputs:

    28 →conv 26 →conv 24 →pool 12 →conv 10 →conv 8 →conv 6 →conv 4 →conv(4×4) 1 → logits

The G-CNN replaces each convolution by its group version (lifting first), each batch norm by
:class:`~symkeras.layers.GroupBatchNormalization`, and ends with orientation pooling, so its logits are exactly
invariant to the group.  ``match_width`` picks the CNN width whose parameter count is closest to a G-CNN's.
"""

from __future__ import annotations

import keras

from symkeras import groups as _groups
from symkeras.layers import GroupBatchNormalization, GroupConv2D, GroupMaxPool2D, GroupPooling, LiftingConv2D

__all__ = ["mlp", "cnn", "p4cnn", "gcnn", "match_width", "count_params"]


def count_params(model) -> int:
    """Trainable parameters (what the paper tables count)."""
    return int(sum(w.numpy().size if hasattr(w, "numpy") else int(keras.ops.size(w)) for w in model.trainable_weights))


def mlp(input_shape=(28, 28, 1), hidden=(256, 256), num_classes=10, dropout=0.0, name="mlp") -> keras.Model:
    """Flatten → Dense(ReLU) per entry of ``hidden`` (→ dropout) → Dense(num_classes) logits."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for units in hidden:
        x = keras.layers.Dense(units, activation="relu")(x)
        if dropout:
            x = keras.layers.Dropout(dropout)(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes)(x), name=name)


def _check_input(input_shape):
    if tuple(input_shape[:2]) != (28, 28):
        raise ValueError(
            f"The Z2CNN/P4CNN topology is fixed for 28×28 inputs (it ends in a 4×4 map). "
            f"Received: input_shape={tuple(input_shape)}"
        )


def cnn(
    channels=20, input_shape=(28, 28, 1), num_classes=10, dropout=0.3, name="cnn", synchronized_bn=False
) -> keras.Model:
    """Z2CNN: the 7-layer plain CNN of Cohen & Welling (2016) with ``channels`` per hidden layer.

    ``synchronized_bn``: batch statistics over the global batch under a TensorFlow distribution strategy."""
    _check_input(input_shape)
    inputs = keras.Input(input_shape)
    x = inputs
    for i in range(6):
        x = keras.layers.Conv2D(channels, 3, use_bias=False)(x)
        x = keras.layers.BatchNormalization(momentum=0.9, synchronized=synchronized_bn)(x)
        x = keras.layers.ReLU()(x)
        if i == 1:
            x = keras.layers.MaxPooling2D(2)(x)
        if dropout and i in (1, 3):
            x = keras.layers.Dropout(dropout)(x)
    x = keras.layers.Conv2D(num_classes, 4)(x)
    return keras.Model(inputs, keras.layers.Flatten()(x), name=name)


def gcnn(
    fields=10, group=_groups.C4, input_shape=(28, 28, 1), num_classes=10, dropout=0.3, name=None, synchronized_bn=False
) -> keras.Model:
    """The same topology as :func:`cnn` over ``group``: ``fields`` fields × ``|G|`` orientations per layer.

    Logits are invariant: ``model(g·x) = model(x)`` for every element ``g`` (up to float rounding).
    """
    _check_input(input_shape)
    group = _groups.get(group)
    inputs = keras.Input(input_shape)
    x = inputs
    for i in range(6):
        conv = LiftingConv2D if i == 0 else GroupConv2D
        x = conv(fields, 3, group=group, use_bias=False)(x)
        x = GroupBatchNormalization(group, momentum=0.9, synchronized=synchronized_bn)(x)
        x = keras.layers.ReLU()(x)
        if i == 1:
            x = GroupMaxPool2D(2)(x)
        if dropout and i in (1, 3):
            x = keras.layers.Dropout(dropout)(x)
    x = GroupConv2D(num_classes, 4, group=group)(x)
    x = GroupPooling(group)(x)  # orientation pooling: invariant logits
    return keras.Model(inputs, keras.layers.Flatten()(x), name=name or f"{group.name.lower()}_gcnn")


def p4cnn(
    fields=10, input_shape=(28, 28, 1), num_classes=10, dropout=0.3, name="p4cnn", synchronized_bn=False
) -> keras.Model:
    """P4CNN (Cohen & Welling 2016): :func:`gcnn` over C4 with 10 fields per layer."""
    return gcnn(fields, _groups.C4, input_shape, num_classes, dropout, name, synchronized_bn)


def match_width(build, target_params: int, widths=range(1, 257)) -> int:
    """The width ``w`` in ``widths`` for which ``count_params(build(w))`` is closest to ``target_params``.

    Parameter counts grow monotonically with width here, so a bisection suffices.
    """
    widths = list(widths)
    lo, hi = 0, len(widths) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if count_params(build(widths[mid])) < target_params:
            lo = mid
        else:
            hi = mid
    return min((widths[lo], widths[hi]), key=lambda w: abs(count_params(build(w)) - target_params))
