"""Symmetry cloning: teach plain dense maps the structure of a convolution (T(2)) or a C4 lifting convolution, then
rebuild convnets as MLPs of such maps and fine-tune them.

* :mod:`~symkeras.cloning.structure` — the exact structure and the teacher (what a clone must become);
* :mod:`~symkeras.cloning.student` — the structured student, :func:`clone` and the cached :func:`cloned_structure`;
* :mod:`~symkeras.cloning.mixer` — the Mixer student (:class:`MixerStudent`: a linear MLP-Mixer block in place of
  the dense maps), :func:`exact_mixer_factors`, :func:`steps_to_error`;
* :mod:`~symkeras.cloning.rebuild` — :func:`mlp_from_convnet` (alias ``mlp2cnn`` / ``mlp2gcnn``);
* :mod:`~symkeras.cloning.finetune` — :func:`freeze_structure`, :func:`unfreeze`, :func:`kl_to_init`.

The layer the rebuilt MLPs are made of is :class:`symkeras.layers.ClonedConv2D` (also importable from here).
Every ``group`` argument is a point group object (``groups.trivial`` or ``groups.C4``; names are accepted).
"""

from symkeras.cloning.finetune import cloned_layers, freeze_structure, kl_to_init, unfreeze
from symkeras.cloning.mixer import MixerStudent, exact_mixer_factors, steps_to_error
from symkeras.cloning.rebuild import mlp2cnn, mlp2gcnn, mlp_from_convnet
from symkeras.cloning.structure import (
    CLONABLE_GROUPS,
    correlate,
    exact_structure,
    output_size,
    point_group,
    shift_structure,
    structure_error,
    teacher,
    teacher_batch,
)
from symkeras.cloning.student import (
    RECIPES,
    CloneReport,
    StructuredStudent,
    clone,
    clone_cache_path,
    cloned_structure,
    recipe_for,
    step_seconds,
)
from symkeras.layers.cloned import ClonedConv2D
from symkeras.layers.mixer import ClonedMixerConv2D, PatchMixer

__all__ = [
    "CLONABLE_GROUPS",
    "point_group",
    "output_size",
    "shift_structure",
    "exact_structure",
    "correlate",
    "teacher",
    "teacher_batch",
    "structure_error",
    "StructuredStudent",
    "CloneReport",
    "clone",
    "step_seconds",
    "RECIPES",
    "recipe_for",
    "clone_cache_path",
    "cloned_structure",
    "ClonedConv2D",
    "MixerStudent",
    "exact_mixer_factors",
    "steps_to_error",
    "PatchMixer",
    "ClonedMixerConv2D",
    "mlp_from_convnet",
    "mlp2cnn",
    "mlp2gcnn",
    "cloned_layers",
    "freeze_structure",
    "unfreeze",
    "kl_to_init",
]
