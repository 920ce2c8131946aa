"""What a cloned convolution must become: the exact structure of a 3×3 convolution, and the teacher that shows it.

A valid 3×3 cross-correlation of an ``n × n`` image ``x`` (flattened, length ``n²``) is linear in the kernel ``k``
(9 taps) and in ``x``:

    ``y = Σ_c k_c · S_c x``,   ``S_c`` ∈ R^{m²×n²} the shift matrix of tap ``c`` (``m = n − 2``).

A lifting convolution over a point group ``G`` (``groups.C4``) has one such output per element ``r``, with the taps
of ``r·k``: ``y_r = Σ_c k_c · E_{r,c} x`` where ``E_{r,c} = S_{π_r(c)}`` moves tap ``c`` to where ``r`` puts it.  The
tap positions come from :func:`symkeras.layers.filter_bank_indices`, i.e. from the same group action that moves
images, so there is one definition of "rotate a kernel".

The ``group`` argument of everything in :mod:`symkeras.cloning` is that *point group*: the rotations the cloned
filter bank carries.  Translations are always there (a convolution is T(2)-equivariant by construction), so
``groups.trivial`` means "a plain convolution, symmetric under T(2)" and ``groups.C4`` "a C4 lifting convolution,
symmetric under translations and quarter turns" (p4).  A ``groups.TranslationGroup`` is accepted as the trivial
point group.
"""

from __future__ import annotations

import numpy as np

from symkeras import groups
from symkeras.layers.convolution import filter_bank_indices

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
]

#: The point groups cloning supports: a plain convolution and a C4 lifting convolution.
CLONABLE_GROUPS = (groups.trivial, groups.C4)


def point_group(group) -> groups.PlanarGroup:
    """The point group object for ``group`` (a group object or name); a ``ValueError`` if cloning does not support
    it."""
    if isinstance(group, groups.TranslationGroup):
        return groups.trivial
    group = groups.get(group)
    if group not in CLONABLE_GROUPS:
        names = " or ".join(f"groups.{g.name}" for g in CLONABLE_GROUPS)
        raise ValueError(
            f"Cloning supports the point groups {names} (a plain convolution, or a lifting convolution "
            f"over quarter turns). Received: group={group.name!r}"
        )
    return group


def output_size(size: int, padding: str) -> int:
    """The side ``m`` of a 3×3 convolution's output on ``size × size`` images: ``size − 2`` ('valid') or ``size``
    ('circular')."""
    if padding not in ("valid", "circular"):
        raise ValueError(f"`padding` must be 'valid' or 'circular'. Received: padding={padding!r}")
    return size - 2 if padding == "valid" else size


def shift_structure(size: int, padding: str = "valid") -> np.ndarray:
    """Exact shift matrices ``S`` of shape ``(9, m², n²)`` of a 3×3 cross-correlation on ``size × size`` images.

    Tap ``c = 3·di + dj`` of the kernel multiplies pixel ``(i + di, j + dj)`` for output ``(i, j)`` ('valid',
    ``m = n − 2``), or pixel ``(i + di − 1, j + dj − 1)`` with wrap-around ('circular', ``m = n``).
    """
    m = output_size(size, padding)
    s = np.zeros((9, m * m, size * size), np.float32)
    out = np.arange(m * m)
    i, j = out // m, out % m
    for di in range(3):
        for dj in range(3):
            if padding == "valid":
                r, c = i + di, j + dj
            else:
                r, c = (i + di - 1) % size, (j + dj - 1) % size
            s[3 * di + dj, out, r * size + c] = 1.0
    return s


def exact_structure(size: int, group=groups.trivial, padding: str = "valid") -> np.ndarray:
    """The exact effective maps ``E`` of shape ``(|G|, 9, m², n²)``: ``y_r = Σ_c k_c E_{r,c} x`` correlates ``x``
    with ``r·k`` (one map set for ``groups.trivial``, four for ``groups.C4``)."""
    group = point_group(group)
    shifts = shift_structure(size, padding)
    taps = filter_bank_indices(group, 3, 1).reshape(group.order, 9)  # rotated.ravel()[j] = k[taps[r, j]]
    e = np.zeros((group.order, *shifts.shape), np.float32)
    for r in group.elements:
        for j in range(9):
            e[r, taps[r, j]] += shifts[j]
    return e


def correlate(images: np.ndarray, kernels: np.ndarray, padding: str = "valid") -> np.ndarray:
    """The teacher's arithmetic: per-example 3×3 cross-correlation, ``(N, n, n)`` × ``(N, 3, 3)`` → ``(N, m, m)``."""
    if padding == "circular":
        images = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="wrap")
    windows = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(1, 2))
    return np.einsum("nijab,nab->nij", windows, kernels)


def teacher(images: np.ndarray, kernels: np.ndarray, group=groups.trivial, padding: str = "valid") -> np.ndarray:
    """Outputs ``(N, m, m, |G|)`` of a single-channel convolution (``groups.trivial``) or lifting convolution
    (``groups.C4``) with a different kernel per example: orientation ``r`` uses ``group.act_on_image(k, r)``."""
    group = point_group(group)
    outputs = [correlate(images, group.act_on_image(kernels[..., None], r)[..., 0], padding) for r in group.elements]
    return np.stack(outputs, axis=-1).astype(np.float32)


def teacher_batch(
    rng: np.random.Generator,
    size: int,
    images_per_step: int,
    kernels_per_image: int,
    group=groups.trivial,
    padding: str = "valid",
):
    """One cloning batch: Gaussian images and kernels and the teacher's outputs.

    Returns ``((kernels (B, K, 9), images (B, n, n)), targets (B, K, m, m, |G|))``.  Same arithmetic as
    :func:`teacher`, but each image's 3×3 windows are extracted once and multiplied with all its ``K`` kernels in one
    matrix product (``teacher`` would copy every image ``K`` times)."""
    b, k = images_per_step, kernels_per_image
    group = point_group(group)
    kernels = rng.standard_normal((b, k, 3, 3)).astype(np.float32)
    images = rng.standard_normal((b, size, size)).astype(np.float32)
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="wrap") if padding == "circular" else images
    m = output_size(size, padding)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2)).reshape(b, m * m, 9)
    rotated = [group.act_on_image(kernels.reshape(b * k, 3, 3, 1), r).reshape(b, k, 9) for r in group.elements]
    targets = np.stack([np.matmul(kr, windows.transpose(0, 2, 1)) for kr in rotated], axis=-1)  # (B, K, m², R)
    return (kernels.reshape(b, k, 9), images), targets.reshape(b, k, m, m, -1)


def structure_error(structure: np.ndarray, exact: np.ndarray) -> dict:
    """How far learned effective maps are from the exact ones: max |difference| and relative Frobenius error."""
    diff = structure - exact
    return {"max_abs": float(np.abs(diff).max()), "relative": float(np.linalg.norm(diff) / np.linalg.norm(exact))}
