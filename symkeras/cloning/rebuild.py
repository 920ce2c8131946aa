"""From a trained convnet to an MLP that computes the same thing: every 3×3 convolution becomes a ClonedConv2D."""

from __future__ import annotations

import keras
import numpy as np

from symkeras import groups
from symkeras.cloning.structure import exact_structure
from symkeras.layers import ClonedConv2D, GroupConv2D, LiftingConv2D

__all__ = ["mlp_from_convnet", "mlp2cnn", "mlp2gcnn"]

_CONVOLUTIONS = (keras.layers.Conv2D, LiftingConv2D, GroupConv2D)


def _cloned_layer(layer, structure_for, input_size, **options) -> ClonedConv2D:
    group = layer.group if isinstance(layer, (LiftingConv2D, GroupConv2D)) else groups.trivial
    if (
        tuple(np.atleast_1d(layer.kernel_size)) not in ((3,), (3, 3))
        or layer.padding != "valid"
        or tuple(np.atleast_1d(layer.strides)) not in ((1,), (1, 1))
    ):
        raise ValueError(
            f"Only 3×3, stride-1, 'valid' convolutions can be cloned. Received: layer {layer.name} with "
            f"kernel_size={layer.kernel_size}, strides={layer.strides}, padding={layer.padding!r}"
        )
    return ClonedConv2D(
        layer.filters,
        structure_for(input_size, group),
        group=group,
        group_input=isinstance(layer, GroupConv2D),
        activation=layer.activation,
        use_bias=layer.use_bias,
        name=f"cloned_{layer.name}",
        **options,
    )


def mlp_from_convnet(
    model, structure_for=None, structure_trainable=False, structure_beta=0.0, structure_anchored=False
) -> keras.Model:
    """An MLP computing what ``model`` computes: a copy of the ``keras.Sequential`` convnet ``model`` in which every
    3×3 'valid' stride-1 convolution — ``Conv2D``, ``LiftingConv2D`` or ``GroupConv2D`` — becomes a
    :class:`~symkeras.layers.ClonedConv2D` with the same kernels and bias; every other layer is copied with its
    weights.

    ``structure_for(size, group)`` gives the structure for an input side and point group (default:
    :func:`~symkeras.cloning.exact_structure`; pass e.g. ``lambda n, g: cloned_structure(n, g)[0]`` to use cloned
    maps).  ``structure_trainable``, ``structure_beta`` and ``structure_anchored`` are passed to every
    :class:`~symkeras.layers.ClonedConv2D` (unfrozen fine-tuning, KL-to-init).
    """
    if not isinstance(model, keras.Sequential):
        raise ValueError(
            f"mlp_from_convnet rebuilds keras.Sequential models layer by layer. Received: "
            f"{type(model).__name__} {model.name!r}"
        )
    structure_for = structure_for or exact_structure
    options = {
        "structure_trainable": structure_trainable,
        "structure_beta": structure_beta,
        "structure_anchored": structure_anchored,
    }
    x = keras.Input(model.input_shape[1:])
    inputs = x
    for layer in model.layers:
        if isinstance(layer, _CONVOLUTIONS):
            new = _cloned_layer(layer, structure_for, int(x.shape[1]), **options)
            x = new(x)
            new.kernel.assign(layer.kernel)
            if layer.use_bias:
                new.bias.assign(layer.bias)
        else:
            new = layer.__class__.from_config(layer.get_config())
            x = new(x)
            if layer.weights:
                new.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name=f"mlp_from_{model.name}")


#: :func:`mlp_from_convnet` under the name that reads best for a CNN (the lessons use it).
mlp2cnn = mlp_from_convnet
#: :func:`mlp_from_convnet` under the name that reads best for a G-CNN (the lessons use it).
mlp2gcnn = mlp_from_convnet
