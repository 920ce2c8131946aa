"""Exercise — exercise 00: set-up and first contact with symkeras (lesson 00).

Grade yourself: ``symkeras grade`` (all exercises) or ``symkeras.check("ex00")`` in a notebook.
"""

from symkeras import groups


def keras_backend() -> str:
    """Return the name of the Keras backend in use: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    raise NotImplementedError("ex00: implement keras_backend")


def group_order(name: str) -> int:
    """Return the number of elements of the planar group called ``name`` (``"C4"`` → 4), via ``symkeras.groups``."""
    raise NotImplementedError("ex00: implement group_order")
