"""Reference solution — exercise 00: set-up and first contact with symkeras (lesson 00).

Grade yourself: ``symkeras grade`` (all exercises) or ``symkeras.check("ex00")`` in a notebook.
"""

from symkeras import groups


def keras_backend() -> str:
    """Return the name of the Keras backend in use: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    # BEGIN SOLUTION
    import keras

    return keras.backend.backend()
    # END SOLUTION


def group_order(name: str) -> int:
    """Return the number of elements of the planar group called ``name`` (``"C4"`` → 4), via ``symkeras.groups``."""
    # BEGIN SOLUTION
    return groups.get(name).order
    # END SOLUTION
