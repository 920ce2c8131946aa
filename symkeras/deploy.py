"""Whole-model export: a trained equivariant model rebuilt from Keras' own layers only, for deployment.

``export(model)`` (also ``symkeras.export``) walks a built Sequential or functional model and replaces each symkeras
layer by plain Keras layers that compute the same function:

* ``LiftingConv2D``/``GroupConv2D`` → ``Conv2D``, ``LiftingConv3D``/``GroupConv3D`` → ``Conv3D``,
  ``GroupConv2DTranspose`` → ``Conv2DTranspose``: the expanded filter bank (each filter in all its |G| orientations)
  and the per-field bias repeated over orientations become ordinary weights, so no expansion runs at inference.
* ``GroupBatchNormalization`` (inference statistics) → folded into the preceding convolution when that convolution
  has no activation and feeds nothing else: ``W' = W·a``, ``b' = b·a + β − μ·a`` with ``a = γ/√(σ² + ε)`` per output
  channel; otherwise a ``BatchNormalization`` whose per-channel parameters repeat each field's |G| times.
* ``GroupPooling`` → a small ``Sequential``: ``Reshape`` to ``(positions, channels, 1)``, ``MaxPooling2D`` or
  ``AveragePooling2D`` with window and stride ``(1, |G|)`` (each field's consecutive group slots), ``Reshape`` back;
  for inputs of unknown spatial size, ``Permute`` moves the channels to a spatial axis instead.
* ``GroupMaxPool2D``/``3D``, ``GroupAvgPool2D``/``3D`` → ``MaxPooling2D``/``3D``, ``AveragePooling2D``/``3D``.

Every other Keras layer is copied with its weights.  The exported model holds no symkeras class, so its ``.keras``
file loads with ``keras.models.load_model`` in a process that never imports symkeras, and it converts with
``tf.lite.TFLiteConverter`` (:func:`to_tflite`).  Symmetry is no longer enforced by the layers of the exported model:
it is in the weights (retraining it would break it).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from symkeras.layers import (
    GroupAvgPool2D,
    GroupAvgPool3D,
    GroupBatchNormalization,
    GroupConv2D,
    GroupConv2DTranspose,
    GroupConv3D,
    GroupMaxPool2D,
    GroupMaxPool3D,
    GroupPooling,
    LiftingConv2D,
    LiftingConv3D,
)

__all__ = ["export", "to_tflite", "FLOAT32_AGREEMENT"]

#: How closely (relative to the largest output) an exported float32 model reproduces the original in the same
#: process.  Folding batch norm into the kernels re-rounds every layer: over 8 seeds a trained P4CNN's exported logits
#: differed by 3.5e-7 to 1.04e-6, so 1e-6 is the typical size, not a bound.  In float64 the export is exact.
FLOAT32_AGREEMENT = 2e-6

_CONVOLUTIONS = (LiftingConv2D, GroupConv2D, LiftingConv3D, GroupConv3D, GroupConv2DTranspose)
_SPATIAL_POOLING = {
    GroupMaxPool2D: keras.layers.MaxPooling2D,
    GroupAvgPool2D: keras.layers.AveragePooling2D,
    GroupMaxPool3D: keras.layers.MaxPooling3D,
    GroupAvgPool3D: keras.layers.AveragePooling3D,
}


def _producer(model, layer):
    """The layer whose output is ``layer``'s only input, if ``layer`` is called once; else ``None``."""
    if isinstance(model, keras.Sequential):
        index = model.layers.index(layer)
        return model.layers[index - 1] if index > 0 else None
    nodes = layer._inbound_nodes
    if len(nodes) != 1 or len(nodes[0].parent_nodes) != 1:
        return None
    return nodes[0].parent_nodes[0].operation


def _foldable(model, norm) -> bool:
    conv = _producer(model, norm)
    return (
        isinstance(conv, _CONVOLUTIONS)
        and conv.activation in (None, keras.activations.linear)
        and len(conv._outbound_nodes) == 1
        and len(norm._inbound_nodes) == 1
    )


def _norm_affine(norm):
    """Per-channel ``(a, b)`` with ``norm(y) = y·a + b`` at inference (float64, each field repeated |G| times)."""
    order = norm.group.order
    variance = ops.convert_to_numpy(norm.moving_variance).astype(np.float64)
    mean = ops.convert_to_numpy(norm.moving_mean).astype(np.float64)
    scale = 1.0 / np.sqrt(variance + norm.epsilon)
    if norm.scale:
        scale = scale * ops.convert_to_numpy(norm.gamma).astype(np.float64)
    offset = -mean * scale + (ops.convert_to_numpy(norm.beta).astype(np.float64) if norm.center else 0.0)
    return np.repeat(scale, order), np.repeat(offset, order)


def _plain_convolution(layer, norm=None):
    """``layer.to_conv()``; with ``norm``, the batch normalisation after it folded into its kernel and bias."""
    conv = layer.to_conv()
    if norm is None:
        return conv
    kernel, *bias = conv.get_weights()
    scale, offset = _norm_affine(norm)
    out_axis = -2 if isinstance(layer, GroupConv2DTranspose) else -1  # Conv2DTranspose: (k, k, out, in)
    shape = [1] * kernel.ndim
    shape[out_axis] = -1
    bias = bias[0].astype(np.float64) if bias else np.zeros_like(scale)
    config = {**conv.get_config(), "use_bias": True}
    folded = type(conv).from_config(config)
    folded.build((None,) * (kernel.ndim - 1) + (kernel.shape[-1] if out_axis == -2 else kernel.shape[-2],))
    folded.set_weights(
        [
            (kernel.astype(np.float64) * scale.reshape(shape)).astype(kernel.dtype),
            (bias * scale + offset).astype(kernel.dtype),
        ]
    )
    return folded


def _plain_group_pooling(layer):
    """Max/mean over each field's |G| consecutive channels with Keras layers.

    Known spatial size: reshape to ``(batch, positions, channels, 1)``, pool with window and stride ``(1, |G|)``,
    reshape back (2-D pooling only, which TensorFlow Lite runs natively for images and volumes alike).  Unknown size:
    move the channels to the first spatial axis, pool there, move them back."""
    shape = tuple(layer.input.shape)
    rank, order, channels = len(shape), layer.group.order, shape[-1]
    fields = channels // order
    max_pool = layer.reduction == "max"
    if None not in shape[1:]:
        pool = (keras.layers.MaxPooling2D if max_pool else keras.layers.AveragePooling2D)((1, order))
        steps = [keras.layers.Reshape((-1, channels, 1)), pool, keras.layers.Reshape((*shape[1:-1], fields))]
    elif 3 <= rank <= 5:
        space = rank - 2
        names = {
            1: ("MaxPooling1D", "AveragePooling1D"),
            2: ("MaxPooling2D", "AveragePooling2D"),
            3: ("MaxPooling3D", "AveragePooling3D"),
        }[space]
        window = (order,) + (1,) * (space - 1)
        steps = [
            keras.layers.Permute((rank - 1, *range(1, rank - 1))),
            getattr(keras.layers, names[0 if max_pool else 1])(window, strides=window),
            keras.layers.Permute((*range(2, rank), 1)),
        ]
    else:
        raise ValueError(
            f"export handles GroupPooling on inputs of rank 2 to 5 (of unknown spatial size: 3 to 5). "
            f"Received: layer {layer.name!r} with input shape {shape}"
        )
    return keras.Sequential(steps, name=layer.name)


def _plain_norm(layer):
    """A ``BatchNormalization`` with each field's statistics and parameters repeated over its |G| channels."""
    order = layer.group.order
    norm = keras.layers.BatchNormalization(
        momentum=layer.momentum,
        epsilon=layer.epsilon,
        center=layer.center,
        scale=layer.scale,
        dtype=layer.dtype_policy,
        name=layer.name,
    )
    norm.build((None,) * (layer.group.spatial_dims + 1) + (layer.moving_mean.shape[0] * order,))
    weights = (
        ([layer.gamma] if layer.scale else [])
        + ([layer.beta] if layer.center else [])
        + [layer.moving_mean, layer.moving_variance]
    )
    norm.set_weights([np.repeat(ops.convert_to_numpy(w), order) for w in weights])
    return norm


def export(model, fold_batch_norm: bool = True) -> keras.Model:
    """A copy of ``model`` built only from Keras' own layers, computing the same outputs (inference mode).

    Args:
        model: a built ``keras.Sequential`` or functional ``keras.Model`` (subclassed models have no graph to copy).
        fold_batch_norm: fold each ``GroupBatchNormalization`` into the convolution before it where possible.

    Returns:
        A new, built ``keras.Model`` of the same kind; its weights are copies (the original is untouched).

    Raises:
        ValueError: for a subclassed or unbuilt model, or a symkeras layer that has no plain-Keras equivalent here
            (the set layers, cloned layers).
    """
    if not isinstance(model, keras.Model) or not (
        isinstance(model, keras.Sequential) or hasattr(model, "_nodes_by_depth")
    ):
        raise ValueError(
            f"export needs a Sequential or functional keras.Model (a subclassed model has no layer graph "
            f"to rebuild): rebuild it with keras.Input(...) and layer calls. Received: {model!r}"
        )
    if not model.built:
        raise ValueError(
            f"export needs a built model: give it a keras.Input or call it once. "
            f"Received: model {model.name!r}, built=False"
        )
    folded = {}
    if fold_batch_norm:
        for layer in model.layers:
            if isinstance(layer, GroupBatchNormalization) and _foldable(model, layer):
                folded[id(_producer(model, layer))] = layer
    folded_norms = {id(norm) for norm in folded.values()}
    copies = []

    def clone(layer):
        if id(layer) in folded_norms:
            return keras.layers.Identity(name=f"{layer.name}_folded")
        if isinstance(layer, _CONVOLUTIONS):
            return _plain_convolution(layer, folded.get(id(layer)))
        if isinstance(layer, GroupBatchNormalization):
            return _plain_norm(layer)
        if isinstance(layer, GroupPooling):
            return _plain_group_pooling(layer)
        for cls, plain in _SPATIAL_POOLING.items():
            if isinstance(layer, cls):
                if layer.equivariant_padding.endswith("_equiv"):
                    raise ValueError(
                        f"export: {type(layer).__name__} {layer.name!r} pads by an amount that depends "
                        f"on the input size (padding={layer.equivariant_padding!r}); Keras' pooling "
                        f"pads by a fixed rule. Use padding='valid' or 'same' on a fixed input size."
                    )
                return plain.from_config(layer.get_config())
        if type(layer).__module__.startswith("symkeras"):
            raise ValueError(
                f"export has no plain-Keras form for {type(layer).__name__} (layer {layer.name!r}). It "
                f"handles group convolutions, group pooling, spatial pooling and group batch "
                f"normalisation; keep such a layer out of the exported part of the model."
            )
        new = type(layer).from_config(layer.get_config())
        copies.append((layer, new))
        return new

    exported = keras.models.clone_model(model, clone_function=clone)
    for old, new in copies:
        new.set_weights(old.get_weights())
    return exported


def to_tflite(model, select_tf_ops: bool = False) -> bytes:
    """The TensorFlow Lite flatbuffer of a plain-Keras model (e.g. from :func:`export`), from
    ``tf.lite.TFLiteConverter.from_keras_model`` (TensorFlow backend).

    TensorFlow Lite has no built-in 3-D pooling: a model with ``MaxPooling3D``/``AveragePooling3D`` (exported from
    ``GroupMaxPool3D``/``GroupAvgPool3D``) needs ``select_tf_ops=True``, which embeds those TensorFlow kernels (the
    runtime must then include the Flex delegate, as TensorFlow's own ``tf.lite.Interpreter`` does)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if select_tf_ops:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]
    return converter.convert()
