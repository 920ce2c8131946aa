"""Exercise — exercise 03: permutation symmetry and DeepSets (lesson 03).

Sets are arrays ``(batch, n, features)``; a permutation of the ``n`` elements must not change an invariant output
and must permute an equivariant one the same way.
"""

import numpy as np


def perm_equivariant_linear(x: np.ndarray, lam: np.ndarray, gam: np.ndarray) -> np.ndarray:
    """The DeepSets equivariant linear map ``y_i = x_i Λ + mean_j(x_j) Γ`` for ``x`` of shape ``(B, n, F)``.

    ``lam`` and ``gam`` have shape ``(F, units)``; returns ``(B, n, units)``.
    """
    raise NotImplementedError("ex03: implement perm_equivariant_linear")


def deep_sets(features: int, hidden: int = 32, outputs: int = 1):
    """A Keras model ``ρ(Σ_i φ(x_i))`` on sets ``(batch, n, features)`` with any ``n``, returning ``(batch, outputs)``.

    ``φ``: a Dense(``hidden``, ReLU) applied to each element; ``Σ``: a sum over the set; ``ρ``: Dense(``hidden``,
    ReLU) then Dense(``outputs``).  It must be exactly permutation-invariant.
    """
    raise NotImplementedError("ex03: implement deep_sets")
