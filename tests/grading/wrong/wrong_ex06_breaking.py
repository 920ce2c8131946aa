"""Plausible wrong answers to exercise 06 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "rotation_breaking_labels": ["test_rotation_breaking_labels_follow_the_task"],
    "invariant_accuracy_ceiling": ["test_invariant_ceiling_is_fifty_percent_for_uniform_rotations"],
}


def rotation_breaking_labels__no_mod_4(labels, k):
    """Forgets ``k mod 4``: k = 5 (= 1) becomes y + 10."""
    return np.asarray(labels) + 10 * (np.asarray(k) >= 2)


def rotation_breaking_labels__only_270(labels, k):
    """Off by one: only k = 3 becomes y + 10 (``k % 4 > 2``)."""
    return np.asarray(labels) + 10 * (np.asarray(k) % 4 > 2)


def rotation_breaking_labels__swapped_halves(labels, k):
    """Adds 10 for k ∈ {0, 1} instead of {2, 3}."""
    return np.asarray(labels) + 10 * (np.asarray(k) % 4 < 2)


def invariant_accuracy_ceiling__best_single_rotation(rotation_probs):
    """Takes the most likely single rotation: forgets that one answer covers two of them."""
    return float(np.max(rotation_probs))


def invariant_accuracy_ceiling__always_y(rotation_probs):
    """Always answers y: p[0] + p[1], even when y + 10 is the better answer."""
    p = np.asarray(rotation_probs, np.float64)
    return float(p[0] + p[1])


def invariant_accuracy_ceiling__wrong_pairs(rotation_probs):
    """Pairs opposite rotations (0°, 180°) and (90°, 270°) instead of {0, 1} and {2, 3}."""
    p = np.asarray(rotation_probs, np.float64)
    return float(max(p[0] + p[2], p[1] + p[3]))
