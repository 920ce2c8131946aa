"""symkeras: group-equivariant deep learning with Keras 3, and a course that teaches it.

Submodules are imported on first use (``import keras`` costs seconds, ``symkeras.groups`` needs only NumPy):

* :mod:`symkeras.groups` — C4, D4, … and the one definition of how each acts on images and fields.
* :mod:`symkeras.layers` — ``LiftingConv2D``, ``GroupConv2D``, ``GroupPooling``, ``GroupBatchNormalization``, …
* :mod:`symkeras.equivariance` — ``equivariance_error``, ``check_equivariance``, ``check_invariance``.
* :mod:`symkeras.deploy` — ``export(model)`` (also ``symkeras.export``): the same model from Keras' own layers.
* :mod:`symkeras.forces` — energies and forces of atoms: ``ForceField`` (``F = −∂E/∂x``), ``egnn_energy``.
* :mod:`symkeras.cloning` — symmetry cloning into MLPs, and fine-tuning the clones.
* :mod:`symkeras.experiments` — the paper experiments and benchmarks; :mod:`symkeras.course` — the course tooling.

Saved models: a ``.keras`` file that holds symkeras layers names them ``symkeras>LiftingConv2D`` etc., and Keras
finds those classes only once :mod:`symkeras.layers` has been imported (Keras never imports third-party modules
while loading).  Use :func:`load_model`, or ``import symkeras.layers`` before ``keras.models.load_model``.
"""

import importlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow's first import: keep its C++ chatter quiet

__version__ = "0.1.0"

#: The library, then the experiments and the course tooling built on it (docs/design.md: "three floors").
_SUBMODULES = (
    "groups",
    "equivariance",
    "layers",
    "deploy",
    "regularizers",
    "cloning",
    "data",
    "models",
    "forces",
    "training",
    "distribute",
    "viz",
    "settings",
    "stats",
    "experiments",
    "course",
    "grading",
)

__all__ = ["__version__", "check", "export", "load_model", *_SUBMODULES]


def load_model(filepath, **kwargs):
    """``keras.models.load_model`` with the symkeras layers registered first (``import symkeras.layers``).

    ``import symkeras`` alone is not enough for Keras' own loader: submodules load lazily, and Keras looks a
    ``symkeras>…`` class up only among classes already registered.  Keyword arguments go to Keras unchanged."""
    import keras

    import symkeras.layers  # noqa: F401  (registers every layer with keras.saving)

    return keras.models.load_model(filepath, **kwargs)


def export(model, fold_batch_norm: bool = True):
    """A copy of ``model`` built only from Keras' own layers (group convolutions as ``Conv2D``/``Conv3D`` with
    expanded filter banks, batch norm folded where possible): same outputs, loads without symkeras.  See
    :func:`symkeras.deploy.export`."""
    from symkeras.deploy import export as _export

    return _export(model, fold_batch_norm=fold_batch_norm)


def check(exercise: str, target: str = "exercises"):
    """Grade one exercise from a notebook, e.g. ``symkeras.check("ex05")``: prints its points table (and, for a
    wrong answer, the failing check in words).  Returns a ``symkeras.grading.GradeResult`` that a notebook does not
    echo: ``.passed``, ``.earned``, ``.statuses``."""
    from symkeras.grading import check as _check

    return _check(exercise, target)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"symkeras.{name}")
    raise AttributeError(f"module 'symkeras' has no attribute {name!r}")
