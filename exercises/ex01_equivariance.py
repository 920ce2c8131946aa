"""Exercise — exercise 01: invariance, equivariance and group axioms (lesson 01).

Conventions (symkeras): images ``(B, H, W, C)``; C4 fields ``(B, H, W, C·4)`` with the orientation index fastest
(channel ``c·4 + h``); rotation ``r^k`` turns the plane ``k·90°`` counter-clockwise (``np.rot90`` on axes 1, 2).
"""

import numpy as np


def rot90_field(x: np.ndarray, k: int) -> np.ndarray:
    """Act with ``r^k`` on a C4 field: rotate every map by ``k·90°`` and cycle the orientation axis by ``k``.

    ``[r^k·f](p, c, h) = f(r^-k p, c, h − k mod 4)``.  Returns an array of the same shape (for square inputs).
    """
    raise NotImplementedError("ex01: implement rot90_field")


def satisfies_group_axioms(table: np.ndarray) -> bool:
    """Is ``table`` (``table[a, b] = a∘b`` on elements ``0..n−1``) a group with identity ``0``?

    Check closure, that 0 is an identity, that every element has an inverse, and associativity.
    """
    raise NotImplementedError("ex01: implement satisfies_group_axioms")


def is_equivariant(f, group, x, in_action: str = "image", out_action: str = "field", tol: float = 1e-5) -> bool:
    """Does ``f(g·x) = g·f(x)`` hold for every element ``g`` of ``group`` (a ``symkeras.groups`` group), up to a
    relative error ``max|f(g·x) − g·f(x)| / max|g·f(x)|`` of ``tol``?

    ``in_action`` / ``out_action`` name how the group acts: ``"image"`` (``group.act_on_image``), ``"field"``
    (``group.act_on_field``) or ``"trivial"`` (no change: invariance).
    """
    raise NotImplementedError("ex01: implement is_equivariant")
