"""Plausible wrong answers to exercise 09 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "kl_to_init": ["test_kl_to_init_known_values_and_properties"],
    "freeze_all_but": ["test_freeze_all_but_keeps_frozen_weights_fixed"],
}


def _log_softmax(v, axis):
    v = np.asarray(v, np.float64)
    v = v - v.max(axis=axis, keepdims=True)
    return v - np.log(np.exp(v).sum(axis=axis, keepdims=True))


def kl_to_init__reversed(p, p0, axis=-1):
    """KL(softmax(p0) ‖ softmax(p)): the arguments swapped."""
    log_a, log_b = _log_softmax(p0, axis), _log_softmax(p, axis)
    return float(np.sum(np.exp(log_a) * (log_a - log_b)))


def kl_to_init__mean_over_slices(p, p0, axis=-1):
    """Averages the slices' KLs instead of summing them."""
    log_a, log_b = _log_softmax(p, axis), _log_softmax(p0, axis)
    return float(np.mean(np.sum(np.exp(log_a) * (log_a - log_b), axis=axis)))


def kl_to_init__ignores_axis(p, p0, axis=-1):
    """Always takes the softmax along the last axis."""
    log_a, log_b = _log_softmax(p, -1), _log_softmax(p0, -1)
    return float(np.sum(np.exp(log_a) * (log_a - log_b)))


def kl_to_init__softmax_over_everything(p, p0, axis=-1):
    """One softmax over all entries instead of one per slice along ``axis``."""
    log_a, log_b = _log_softmax(np.ravel(p), -1), _log_softmax(np.ravel(p0), -1)
    return float(np.sum(np.exp(log_a) * (log_a - log_b)))


def kl_to_init__in_bits(p, p0, axis=-1):
    """Uses log₂: bits, not nats."""
    log_a, log_b = _log_softmax(p, axis), _log_softmax(p0, axis)
    return float(np.sum(np.exp(log_a) * (log_a - log_b)) / np.log(2))


def freeze_all_but__counts_every_parameter(model, trainable_layers):
    """Freezes correctly but returns model.count_params(), frozen weights included."""
    for layer in model.layers:
        layer.trainable = layer.name in trainable_layers
    return int(model.count_params())


def freeze_all_but__never_freezes(model, trainable_layers):
    """Marks the named layers trainable but never freezes the others."""
    for layer in model.layers:
        if layer.name in trainable_layers:
            layer.trainable = True
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def freeze_all_but__counts_tensors(model, trainable_layers):
    """Returns the number of trainable weight tensors, not of parameters."""
    for layer in model.layers:
        layer.trainable = layer.name in trainable_layers
    return len(model.trainable_weights)


def freeze_all_but__kernels_only(model, trainable_layers):
    """Counts only the kernels of the trainable layers, forgetting their biases."""
    for layer in model.layers:
        layer.trainable = layer.name in trainable_layers
    return int(sum(np.prod(w.shape) for w in model.trainable_weights if len(w.shape) > 1))
