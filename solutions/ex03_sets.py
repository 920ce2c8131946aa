"""Reference solution — exercise 03: permutation symmetry and DeepSets (lesson 03).

Sets are arrays ``(batch, n, features)``; a permutation of the ``n`` elements must not change an invariant output
and must permute an equivariant one the same way.
"""

import numpy as np


def perm_equivariant_linear(x: np.ndarray, lam: np.ndarray, gam: np.ndarray) -> np.ndarray:
    """The DeepSets equivariant linear map ``y_i = x_i Λ + mean_j(x_j) Γ`` for ``x`` of shape ``(B, n, F)``.

    ``lam`` and ``gam`` have shape ``(F, units)``; returns ``(B, n, units)``.
    """
    # BEGIN SOLUTION
    return x @ lam + x.mean(axis=1, keepdims=True) @ gam
    # END SOLUTION


def deep_sets(features: int, hidden: int = 32, outputs: int = 1):
    """A Keras model ``ρ(Σ_i φ(x_i))`` on sets ``(batch, n, features)`` with any ``n``, returning ``(batch, outputs)``.

    ``φ``: a Dense(``hidden``, ReLU) applied to each element; ``Σ``: a sum over the set; ``ρ``: Dense(``hidden``,
    ReLU) then Dense(``outputs``).  It must be exactly permutation-invariant.
    """
    # BEGIN SOLUTION
    import keras

    from symkeras.layers import SetPooling

    inputs = keras.Input((None, features))
    x = keras.layers.Dense(hidden, activation="relu")(inputs)
    x = SetPooling("sum")(x)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(outputs)(x))
    # END SOLUTION
