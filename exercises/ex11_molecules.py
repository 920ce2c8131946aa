"""Exercise — exercise 11: symmetry in 3-D, energies and forces (lesson 11).

Point clouds are arrays ``(B, n, 3)`` of positions (rows are points).  A rotation or reflection is an orthogonal
``3×3`` matrix ``R`` acting on row vectors as ``x ↦ x Rᵀ``; a translation adds the same vector to every point.
"""

import numpy as np


def squared_distances(x: np.ndarray) -> np.ndarray:
    """The invariant edge features of an EGNN: ``d[b, i, j, 0] = |x_i − x_j|²`` for positions ``x`` ``(B, n, 3)``.

    Returns ``(B, n, n, 1)``; unchanged by rotations, reflections and translations of ``x``, and permuted along both
    pair axes when the points are relabelled.  Squared (no square root).
    """
    raise NotImplementedError("ex11: implement squared_distances")


def force_equivariance_error(forces_fn, x: np.ndarray, rotation: np.ndarray) -> float:
    """How far ``forces_fn`` is from rotating its forces with the atoms, for one orthogonal matrix ``rotation``.

    ``forces_fn`` maps positions ``(B, n, 3)`` to forces ``(B, n, 3)``.  Compare the forces of the rotated positions,
    ``F(x Rᵀ)``, with the rotated forces, ``F(x) Rᵀ``, and return the relative error
    ``max|F(x Rᵀ) − F(x) Rᵀ| / max|F(x) Rᵀ|`` as a Python float (0 for an exactly equivariant force field).
    """
    raise NotImplementedError("ex11: implement force_equivariance_error")
