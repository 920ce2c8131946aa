"""Fine-tuning a cloned network: choose whether its structures train, and measure how far they moved.

'Frozen' fine-tuning trains kernels, biases and the other layers but keeps every cloned structure as cloned, so the
network keeps its symmetry; 'unfrozen' lets the structures train too, optionally held near the clone by
:class:`~symkeras.regularizers.KLToInit` (``ClonedConv2D(structure_beta=…)``).
"""

from __future__ import annotations

from keras import ops

from symkeras.layers import ClonedConv2D
from symkeras.regularizers import kl_divergence

__all__ = ["cloned_layers", "freeze_structure", "unfreeze", "kl_to_init"]


def cloned_layers(model) -> list:
    """Every :class:`~symkeras.layers.ClonedConv2D` inside ``model`` (nested models included), in order."""
    return [layer for layer in model._flatten_layers() if isinstance(layer, ClonedConv2D)]


def kl_to_init(model, anchored=False) -> float:
    """How far fine-tuning moved the cloned structures of ``model``: ``Σ_layers KL(softmax(E) ‖ softmax(E₀))`` in nats.

    A report, not a penalty: summed in float64, since float32 round-off over millions of near-zero terms can exceed
    the KL itself (and make it negative).
    """
    return sum(
        float(
            kl_divergence(
                *(ops.convert_to_numpy(v).astype("float64") for v in (layer.structure, layer.structure_init)),
                anchored=anchored,
            )
        )
        for layer in cloned_layers(model)
    )


def freeze_structure(model) -> int:
    """'Frozen' fine-tuning: the cloned structures of every :class:`~symkeras.layers.ClonedConv2D` stop training;
    kernels, biases and all other layers still train.  Recompile afterwards.  Returns how many tensors were frozen."""
    layers = cloned_layers(model)
    for layer in layers:
        layer.structure.trainable = layer.structure_trainable = False
    return len(layers)


def unfreeze(model) -> int:
    """'Unfrozen' fine-tuning: the cloned structures train too (add ``structure_beta`` for KL-to-init).
    Recompile afterwards.  Returns how many tensors were unfrozen."""
    layers = cloned_layers(model)
    for layer in layers:
        layer.structure.trainable = layer.structure_trainable = True
    return len(layers)
