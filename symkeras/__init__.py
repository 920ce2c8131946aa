"""symkeras: group-equivariant deep learning with Keras 3, and a course that teaches it.

Submodules are imported on first use (``import keras`` costs seconds, ``symkeras.groups`` needs only NumPy):

* :mod:`symkeras.groups` — C4, D4, … and the one definition of how each acts on images and fields.
* :mod:`symkeras.layers` — ``LiftingConv2D``, ``GroupConv2D``, ``GroupPooling``, ``GroupBatchNormalization``, …
* :mod:`symkeras.equivariance` — ``equivariance_error``, ``check_equivariance``, ``check_invariance``.
"""

import importlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow's first import: keep its C++ chatter quiet

__version__ = "0.1.0"

_SUBMODULES = ("groups", "layers", "equivariance")

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"symkeras.{name}")
    raise AttributeError(f"module 'symkeras' has no attribute {name!r}")
