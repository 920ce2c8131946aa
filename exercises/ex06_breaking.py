"""Exercise — exercise 06: when symmetry hurts (lesson 06)."""

import numpy as np


def rotation_breaking_labels(labels: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Labels of the rotation symmetry-breaking task: a digit rotated by ``k·90°`` keeps its label ``y`` for
    ``k`` ∈ {0, 1} and becomes ``y + 10`` for ``k`` ∈ {2, 3} (``k`` may be any integer: use it mod 4)."""
    raise NotImplementedError("ex06: implement rotation_breaking_labels")


def invariant_accuracy_ceiling(rotation_probs) -> float:
    """The best accuracy an exactly C4-invariant classifier can reach on that task, when a digit is shown at
    ``k·90°`` with probability ``rotation_probs[k]`` (and the digit itself is recognised perfectly).

    An invariant model must give all four rotations the same answer: ``y`` or ``y + 10``.
    """
    raise NotImplementedError("ex06: implement invariant_accuracy_ceiling")
