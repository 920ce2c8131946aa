"""Patches the grader, pytest, builtins and NumPy in its own process, then answers wrongly."""
import builtins

import numpy as np
import pytest

import symkeras.grading as grading

ok = lambda *args, **kwargs: None  # noqa: E731
for name in ('expect_equal', 'expect_close', 'summarize', 'format_report', 'check', 'run'):
    setattr(grading, name, ok)
pytest.fail = ok
np.array_equal = np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = np.testing.assert_array_equal = ok
builtins.max = lambda *args, **kwargs: 0.5
builtins.AssertionError = type('AssertionError', (Exception,), {})


def rotation_breaking_labels(labels, k):
    return np.asarray(labels)  # forgets the + 10


def invariant_accuracy_ceiling(rotation_probs):
    return max(rotation_probs)  # the patched max: 0.5
