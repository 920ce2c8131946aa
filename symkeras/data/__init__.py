"""Data: real MNIST from a verified offline cache (:mod:`~symkeras.data.mnist`), image transforms
(:mod:`~symkeras.data.transforms`), the course's symmetry tasks (:mod:`~symkeras.data.tasks`) and
molecular-dynamics frames of a copper cluster from ASE's EMT potential (:mod:`~symkeras.data.molecules`).

Everything public is importable from here: ``from symkeras import data; data.load_mnist("train", limit=1000)``.
"""

from symkeras.data.mnist import (
    SOURCES,
    CacheDirectoryError,
    CorruptCacheError,
    DataUnavailableError,
    IDXFormatError,
    balanced_subset,
    cache_file,
    cache_status,
    load_mnist,
    parse_idx,
    prepare,
)
from symkeras.data.molecules import Trajectory, copper_cluster_md, trajectory_file
from symkeras.data.tasks import (
    MNIST_ROT_SIZES,
    Task,
    mnist_rot_like,
    rotated_mnist,
    rotation_breaking_task,
    rotation_symmetric_task,
    translation_breaking_task,
)
from symkeras.data.transforms import rotate90_batch, rotate_batch, shift_batch
from symkeras.settings import cache_dir, fast_mode

__all__ = [
    "SOURCES",
    "DataUnavailableError",
    "CorruptCacheError",
    "CacheDirectoryError",
    "IDXFormatError",
    "parse_idx",
    "cache_dir",
    "cache_file",
    "cache_status",
    "prepare",
    "load_mnist",
    "balanced_subset",
    "fast_mode",
    "rotate90_batch",
    "rotate_batch",
    "shift_batch",
    "Task",
    "rotated_mnist",
    "rotation_symmetric_task",
    "rotation_breaking_task",
    "translation_breaking_task",
    "mnist_rot_like",
    "MNIST_ROT_SIZES",
    "Trajectory",
    "copper_cluster_md",
    "trajectory_file",
]
