"""Prints a gigabyte, then answers wrongly; the other function prints a little and is right."""
import sys

import numpy as np


def rotation_breaking_labels(labels, k):
    line = 'x' * (10 * 2 ** 20)
    for _ in range(100):
        sys.stdout.write(line)
    return np.asarray(labels)  # wrong


def invariant_accuracy_ceiling(rotation_probs):
    print('computing the ceiling')
    p = np.asarray(rotation_probs, np.float64)
    return float(max(p[0] + p[1], p[2] + p[3]))
