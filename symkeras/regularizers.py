"""Keeping a fine-tuned network near its (symmetric) initialisation: the KL-to-init regulariser.

``KLToInit`` penalises the drift of a structure tensor ``P`` from its snapshot ``P₀``:

    ``penalty = β · Σ_slices KL(softmax(P) ‖ softmax(P₀))``,  ``KL(a ‖ b) = Σ_i a_i (log a_i − log b_i)``,

with the softmax over ``axis`` (the 9 kernel taps for cloned structures) and the sum over every other index, in nats.
Unlike the original cloning code (which divides by the element count and uses β up to 1e15, a hard pin drowned in
float32 round-off; docs/design.md), the sum keeps β interpretable: a penalty of β nats per nat of total drift.

Softmax ignores a constant added along ``axis``, so that direction of change is free — and for a cloned structure it
is the one that matters: a constant ``c`` added to all taps of entry ``(p, q)`` adds ``c·Σ_taps ψ`` to the dense
weight from input pixel ``q`` to output pixel ``p``, any ``q`` (measured: fine-tuning breaks the symmetry completely at
0.9 nats of KL).  ``anchored=True`` appends one more category with its logit fixed at 0 to every slice,
``softmax([P, 0])``, so a common shift moves probability to or from that anchor and is penalised too.
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["KLToInit", "kl_divergence"]


def _log_softmax(x, axis):
    # Written out: the backends' softmax over a short inner axis (9 taps, millions of slices) is many times slower.
    shifted = x - ops.stop_gradient(ops.max(x, axis=axis, keepdims=True))
    return shifted - ops.log(ops.sum(ops.exp(shifted), axis=axis, keepdims=True))


def _with_anchor(x, axis):
    return ops.concatenate([x, ops.zeros_like(ops.sum(x, axis=axis, keepdims=True))], axis=axis)


def kl_divergence(p, p0, axis=1, anchored=False):
    """``Σ KL(softmax(p) ‖ softmax(p0))`` over all slices along ``axis`` (nats); ``anchored``: ``softmax([p, 0])``."""
    p = ops.convert_to_tensor(p)
    p0 = ops.cast(p0, p.dtype)
    if anchored:
        p, p0 = _with_anchor(p, axis), _with_anchor(p0, axis)
    log_a = _log_softmax(p, axis)
    log_b = _log_softmax(p0, axis)
    return ops.sum(ops.exp(log_a) * (log_a - log_b))


@keras.saving.register_keras_serializable(package="symkeras")
class KLToInit(keras.regularizers.Regularizer):
    """``β · Σ KL(softmax(P) ‖ softmax(P₀))`` for a weight ``P``; ``initial`` is ``P₀`` (an array or a variable).

    Zero at ``P = P₀``, positive otherwise, and its gradient points back towards ``P₀`` — except along a constant
    shift of a slice, unless ``anchored`` (then ``softmax([P, 0])``: see the module docstring).
    """

    def __init__(self, beta, initial=None, axis=1, anchored=False):
        self.beta, self.initial, self.axis, self.anchored = float(beta), initial, int(axis), bool(anchored)

    def __call__(self, x):
        if self.initial is None:
            raise ValueError("KLToInit needs the initial values P₀ (`initial=`) before it can be evaluated.")
        return self.beta * kl_divergence(x, self.initial, axis=self.axis, anchored=self.anchored)

    def get_config(self):  # P₀ travels with the layer (e.g. ClonedConv2D.structure_init)
        return {"beta": self.beta, "axis": self.axis, "anchored": self.anchored}
