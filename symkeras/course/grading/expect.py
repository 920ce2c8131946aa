"""Assertions whose messages teach, for graded tests (they run in the grading parent, on plain values).

A graded test's first message line becomes the student's "wrong: …" status: say what was checked, in words, then what
was measured against which tolerance.
"""

from __future__ import annotations

import numpy as np


def _numbers(value, what: str) -> np.ndarray:
    if value is None:
        raise AssertionError(f"{what}; got None (is a `return` missing?)")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what}; got {type(value).__name__} {value!r:.60}, not numbers") from None
    return array


def _same_shape(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}; got shape {actual.shape}, expected {expected.shape}")


def relative_error(actual, expected) -> float:
    """``max|actual − expected| / max|expected|`` (the error the equivariance checks report)."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    scale = max(float(np.max(np.abs(expected), initial=0.0)), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(actual - expected), initial=0.0)) / scale


def expect_close(actual, expected, what: str, tol: float = 1e-9) -> None:
    """Assert ``relative_error(actual, expected) <= tol``; the message starts with ``what`` (the requirement in
    words), then the measured error: ``"<what>; measured relative error 3.2e-01 > tolerance 1e-09"`` (for a
    scalar: ``"<what>; got 0.25, expected 0.5 (relative error …)"``).  NaN is never close."""
    got, want = _numbers(actual, what), np.asarray(expected, np.float64)
    _same_shape(got, want, what)
    error = relative_error(got, want)
    if not error <= tol:  # NaN fails too
        measured = f"relative error {error:.1e} > tolerance {tol:.0e}"
        if want.size == 1:
            raise AssertionError(f"{what}; got {got.item():.6g}, expected {want.item():.6g} ({measured})")
        raise AssertionError(f"{what}; measured {measured}")


def expect_equal(actual, expected, what: str) -> None:
    """Assert exact equality (integers, labels, permutations); the message names the first entry that differs:
    ``"<what>; 3 of 6 entries differ, the first at index (2,): got 3, expected 13"``."""
    want = np.asarray(expected)
    if actual is None:
        raise AssertionError(f"{what}; got None (is a `return` missing?)")
    got = np.asarray(actual)
    _same_shape(got, want, what)
    differ = np.asarray(got != want, dtype=bool)  # an object of the submission equals nothing but itself
    if np.any(differ):
        if want.ndim == 0:
            raise AssertionError(f"{what}; got {got.item()!r}, expected {want.item()!r}")
        first = tuple(int(i) for i in np.argwhere(differ)[0])
        raise AssertionError(
            f"{what}; {int(np.sum(differ))} of {differ.size} entries differ, the first at index "
            f"{first}: got {got[first].item()!r}, expected {want[first].item()!r}"
        )
