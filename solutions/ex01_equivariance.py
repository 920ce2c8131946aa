"""Reference solution — exercise 01: invariance, equivariance and group axioms (lesson 01).

Conventions (symkeras): images ``(B, H, W, C)``; C4 fields ``(B, H, W, C·4)`` with the orientation index fastest
(channel ``c·4 + h``); rotation ``r^k`` turns the plane ``k·90°`` counter-clockwise (``np.rot90`` on axes 1, 2).
"""

import numpy as np


def rot90_field(x: np.ndarray, k: int) -> np.ndarray:
    """Act with ``r^k`` on a C4 field: rotate every map by ``k·90°`` and cycle the orientation axis by ``k``.

    ``[r^k·f](p, c, h) = f(r^-k p, c, h − k mod 4)``.  Returns an array of the same shape (for square inputs).
    """
    # BEGIN SOLUTION
    b, height, width, channels = x.shape
    rotated = np.rot90(x, k, axes=(1, 2))
    fields = rotated.reshape(*rotated.shape[:3], channels // 4, 4)
    return np.roll(fields, k, axis=-1).reshape(rotated.shape)
    # END SOLUTION


def satisfies_group_axioms(table: np.ndarray) -> bool:
    """Is ``table`` (``table[a, b] = a∘b`` on elements ``0..n−1``) a group with identity ``0``?

    Check closure, that 0 is an identity, that every element has an inverse, and associativity.
    """
    # BEGIN SOLUTION
    table = np.asarray(table)
    n = len(table)
    if table.shape != (n, n) or table.min() < 0 or table.max() >= n:
        return False
    elements = np.arange(n)
    if not (np.array_equal(table[0], elements) and np.array_equal(table[:, 0], elements)):
        return False
    if not all((table[a] == 0).any() and (table[:, a] == 0).any() for a in elements):
        return False
    left = table[table]  # left[a, b, c] = (a∘b)∘c
    right = table[elements[:, None, None], table[None, :, :]]  # right[a, b, c] = a∘(b∘c)
    return bool(np.array_equal(left, right))
    # END SOLUTION


def is_equivariant(f, group, x, in_action: str = "image", out_action: str = "field", tol: float = 1e-5) -> bool:
    """Does ``f(g·x) = g·f(x)`` hold for every element ``g`` of ``group`` (a ``symkeras.groups`` group), up to a
    relative error ``max|f(g·x) − g·f(x)| / max|g·f(x)|`` of ``tol``?

    ``in_action`` / ``out_action`` name how the group acts: ``"image"`` (``group.act_on_image``), ``"field"``
    (``group.act_on_field``) or ``"trivial"`` (no change: invariance).
    """
    # BEGIN SOLUTION
    from keras import ops

    def act(kind, value, g):
        if kind == "trivial":
            return value
        return getattr(group, f"act_on_{kind}")(value, g)

    fx = np.asarray(ops.convert_to_numpy(f(x)), np.float64)
    for g in group.elements:
        got = np.asarray(ops.convert_to_numpy(f(act(in_action, x, g))), np.float64)
        want = act(out_action, fx, g)
        if got.shape != want.shape or np.max(np.abs(got - want)) > tol * max(np.max(np.abs(want)), 1e-30):
            return False
    return True
    # END SOLUTION
