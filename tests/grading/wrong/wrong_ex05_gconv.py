"""Plausible wrong answers to exercise 05 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "lifting_filter_bank": ["test_lifting_filter_bank_matches_symkeras"],
    "group_filter_bank": ["test_group_filter_bank_matches_symkeras"],
    "orientation_pool": ["test_orientation_pool_is_group_pooling_and_invariant"],
}


def lifting_filter_bank__orientation_slowest(kernel):
    """Puts filter o in orientation t at channel t·F + o instead of o·4 + t."""
    return np.concatenate([np.rot90(kernel, t, axes=(0, 1)) for t in range(4)], axis=-1)


def lifting_filter_bank__clockwise(kernel):
    """Rotates filter o by −t·90° (clockwise)."""
    k, _, c, f = kernel.shape
    bank = np.stack([np.rot90(kernel, -t, axes=(0, 1)) for t in range(4)], axis=-1)
    return bank.reshape(k, k, c, f * 4)


def lifting_filter_bank__not_rotated(kernel):
    """Repeats each filter four times without rotating it."""
    return np.repeat(kernel, 4, axis=-1)


def group_filter_bank__slot_s_plus_t(kernel):
    """Takes input slot (s + t) mod 4 instead of (s − t) mod 4."""
    k, _, channels, f = kernel.shape
    bank = np.zeros((k, k, channels, f * 4), kernel.dtype)
    for t in range(4):
        for s in range(4):
            source = kernel[:, :, (np.arange(channels // 4) * 4 + (s + t) % 4), :]
            bank[:, :, s::4, t::4] = np.rot90(source, t, axes=(0, 1))
    return bank


def group_filter_bank__slots_not_cycled(kernel):
    """Rotates the filters by t·90° but leaves the input slots in place (the lifting rule applied to fields)."""
    k, _, channels, f = kernel.shape
    bank = np.zeros((k, k, channels, f * 4), kernel.dtype)
    for t in range(4):
        bank[:, :, :, t::4] = np.rot90(kernel, t, axes=(0, 1))
    return bank


def group_filter_bank__slots_cycled_not_rotated(kernel):
    """Cycles the input slots but forgets to rotate the filters spatially."""
    k, _, channels, f = kernel.shape
    bank = np.zeros((k, k, channels, f * 4), kernel.dtype)
    for t in range(4):
        for s in range(4):
            bank[:, :, s::4, t::4] = kernel[:, :, (np.arange(channels // 4) * 4 + (s - t) % 4), :]
    return bank


def group_filter_bank__clockwise(kernel):
    """Rotates the filter for orientation t by −t·90°."""
    k, _, channels, f = kernel.shape
    bank = np.zeros((k, k, channels, f * 4), kernel.dtype)
    for t in range(4):
        for s in range(4):
            source = kernel[:, :, (np.arange(channels // 4) * 4 + (s - t) % 4), :]
            bank[:, :, s::4, t::4] = np.rot90(source, -t, axes=(0, 1))
    return bank


def orientation_pool__orientation_slowest(field, reduction="max"):
    """Splits the channels as (4, C) — orientation slowest — instead of (C, 4)."""
    split = field.reshape(*field.shape[:-1], 4, field.shape[-1] // 4)
    return split.max(axis=-2) if reduction == "max" else split.mean(axis=-2)


def orientation_pool__always_max(field, reduction="max"):
    """Ignores ``reduction``: always the max."""
    return field.reshape(*field.shape[:-1], field.shape[-1] // 4, 4).max(axis=-1)


def orientation_pool__sum_not_mean(field, reduction="max"):
    """Sums the four orientations where "mean" is asked for."""
    split = field.reshape(*field.shape[:-1], field.shape[-1] // 4, 4)
    return split.max(axis=-1) if reduction == "max" else split.sum(axis=-1)
