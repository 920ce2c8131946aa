"""NaN-filled answers."""
import numpy as np


def rotation_breaking_labels(labels, k):
    return np.full(np.shape(labels), np.nan)


def invariant_accuracy_ceiling(rotation_probs):
    return float('nan')
