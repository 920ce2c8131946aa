"""KeyboardInterrupt from a graded function (it once made the table say 'All tests passed!')."""
import numpy as np

ROOT = __import__("pathlib").Path(__import__("symkeras").__file__).resolve().parents[1]  # the course repository


def _right_labels(labels, k):
    return np.asarray(labels) + 10 * (np.asarray(k) % 4 >= 2)


def invariant_accuracy_ceiling(rotation_probs):  # right: earns its point
    p = np.asarray(rotation_probs, np.float64)
    return float(max(p[0] + p[1], p[2] + p[3]))


def rotation_breaking_labels(labels, k):
    raise KeyboardInterrupt
