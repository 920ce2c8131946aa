"""Symmetry groups as first-class objects, and the one definition of how each acts on data.

Planar groups (acting on the pixel grid by exact 90° rotations and mirror flips):

* ``trivial`` (= C1), ``C2``, ``C4``: rotations by multiples of 360°/n, counter-clockwise.
* ``D1`` (one mirror), ``D2``, ``D4``: the same rotations, optionally preceded by a left-right flip.

An element is an ``int`` in ``range(group.order)``: ``g = k + n·m`` means "flip the columns if ``m == 1``, then rotate
``k`` steps of 360°/n counter-clockwise" (``np.rot90`` over the (row, column) axes).  Composition ``compose(a, b)``
is "first ``b``, then ``a``", so that ``act(a, act(b, x)) == act(compose(a, b), x)``.

Tensor layout (docs/design.md): images are ``(batch, H, W, C)``; feature fields over a group are
``(batch, H, W, C·|G|)`` with the group index running fastest (channel ``c·|G| + h``).  The regular representation
acts on a field ``f`` by ``[g·f](p, h) = f(g⁻¹p, g⁻¹h)``: move the plane, then permute the group axis.

Everything here accepts NumPy arrays (and returns NumPy arrays) or backend tensors (and uses ``keras.ops``), so the same
action serves tests, lessons and the layers, which precompute their filter-bank gather indices with it.

Subgroups: ``G.subgroups()``, ``G.subgroup_embedding(H)`` (which element of ``G`` each element of ``H`` is, found
by comparing how they move the plane), ``G.cosets(H)`` and ``G.restricted_action(H)`` (``H`` acting on ``G``'s
fields); e.g. ``D4 ⊃ C4, D2, D1, C2, trivial``.

Cubic groups (acting on the voxel grid by exact axis permutations and flips):

* ``O``: the 24 rotations of the cube; ``Oh``: those 24 and their compositions with the point inversion ``p ↦ −p``
  (48 elements: all reflections and rotoreflections of the cube).

Element ``g`` is a signed 3×3 permutation matrix ``R_g`` (``group.matrix(g)``) on centred (depth, height, width)
coordinates; ``[g·x](p) = x(R_g⁻¹ p)`` on volumes ``(batch, D, H, W, C)`` (a transpose of the three spatial axes and
some flips, no interpolation), ``compose(a, b)`` is the matrix product ``R_a R_b``.  Fields over a cubic group are
``(batch, D, H, W, C·|G|)``, group index fastest, and ``[g·f](p, h) = f(R_g⁻¹ p, g⁻¹h)`` as in the plane.

The symmetric group ``S(n)`` acting on sets ``(batch, n, features)`` supports the permutation lesson; it also
permutes the points of point clouds (``act_on_points``, ``act_on_vectors``).

Euclidean groups (continuous, acting on point clouds in 3-D): :class:`EuclideanGroup` with the instances ``SO3``
(rotations), ``O3`` (rotations and reflections), ``SE3`` / ``E3`` (the same with translations), optionally times the
permutations of ``atoms`` points.  A continuous group cannot be listed, so element ``g`` is the ``g``-th of a fixed,
seeded stream of random elements (Haar-random rotations, every odd element of ``O(3)``/``E(3)`` improper); ``0`` is
the identity.  Point clouds are ``(batch, n, 3)`` positions, or a pair ``(h, x)`` of per-point scalars
``(batch, n, f)`` and positions: ``[g·x]_i = R_g x_{σ⁻¹(i)} + t_g`` and ``[g·h]_i = h_{σ⁻¹(i)}``; vectors attached
to points (forces, velocities) rotate and permute but do not translate: ``[g·v]_i = R_g v_{σ⁻¹(i)}``.
"""

from __future__ import annotations

import itertools
import math
from functools import cached_property

import numpy as np

__all__ = [
    "Group",
    "PlanarGroup",
    "CubicGroup",
    "SymmetricGroup",
    "TranslationGroup",
    "EuclideanGroup",
    "SO3",
    "O3",
    "SE3",
    "E3",
    "trivial",
    "C2",
    "C4",
    "D1",
    "D2",
    "D4",
    "O",
    "Oh",
    "get",
    "cyclic",
    "act_on_image",
    "act_on_field",
    "act_on_volume",
    "act_on_set",
    "act_on_points",
    "act_on_vectors",
    "split_group_axis",
    "merge_group_axis",
    "rotate_plane",
    "transform_volume",
    "translate",
    "array_namespace",
]


def array_namespace(x):
    """NumPy for NumPy inputs (and Python lists), ``keras.ops`` for backend tensors."""
    if isinstance(x, (np.ndarray, np.generic, list, tuple)):
        return np
    from keras import ops  # imported lazily: `import keras` costs seconds

    return ops


def _shape(x):
    if isinstance(x, np.ndarray):
        return x.shape
    from keras import ops

    return ops.shape(x)


def rotate_plane(x, quarter_turns: int, flip: bool = False, axes=(1, 2)):
    """Flip the columns (``flip=True``) and then rotate counter-clockwise by ``quarter_turns`` · 90°.

    ``axes`` are the (row, column) axes of ``x``: ``(1, 2)`` for images and fields, ``(0, 1)`` for kernels.
    Equal to ``np.rot90(np.flip(x, axes[1]) if flip else x, quarter_turns, axes)``; exact (a pure permutation).
    """
    xp = array_namespace(x)
    x = xp.asarray(x) if xp is np else x
    row, col = axes
    if flip:
        x = xp.flip(x, axis=col)
    q = quarter_turns % 4
    if q == 0:
        return x
    if q == 2:
        return xp.flip(xp.flip(x, axis=row), axis=col)
    perm = list(range(len(x.shape)))
    perm[row], perm[col] = perm[col], perm[row]
    if q == 1:  # np.rot90: transpose(flip(x, col))
        return xp.transpose(xp.flip(x, axis=col), axes=perm)
    return xp.flip(xp.transpose(x, axes=perm), axis=col)  # q == 3


def translate(x, shift, axes=(1, 2)):
    """Circular translation ``[t·x](p) = x(p − t)`` by ``shift = (rows, cols)`` over ``axes`` (exact)."""
    xp = array_namespace(x)
    shift = (shift,) if np.isscalar(shift) else tuple(shift)
    axes = (axes,) if np.isscalar(axes) else tuple(axes)
    if len(shift) != len(axes):
        raise ValueError(f"`shift` needs one entry per axis in `axes`. Received: shift={shift}, axes={axes}")
    for s, a in zip(shift, axes):
        x = xp.roll(x, int(s), axis=a)
    return x


def transform_volume(x, matrix, axes=(1, 2, 3)):
    """``y(p) = x(R⁻¹p)`` for a signed 3×3 permutation matrix ``R`` acting on centred coordinates over ``axes``.

    ``axes`` are the (depth, height, width) axes of ``x``: ``(1, 2, 3)`` for volumes and fields, ``(0, 1, 2)`` for
    kernels.  Exact: a transpose of those axes and flips of some of them.  Output axis ``i`` is input axis ``j``
    with ``R[i, j] ≠ 0``, reversed when that entry is −1.
    """
    xp = array_namespace(x)
    x = xp.asarray(x) if xp is np else x
    matrix = np.asarray(matrix)
    source = [int(np.flatnonzero(matrix[i])[0]) for i in range(3)]  # output axis i <- input axis source[i]
    flips = [axes[source[i]] for i in range(3) if matrix[i, source[i]] < 0]
    for axis in flips:
        x = xp.flip(x, axis=axis)
    perm = list(range(len(x.shape)))
    for i in range(3):
        perm[axes[i]] = axes[source[i]]
    return x if perm == sorted(perm) else xp.transpose(x, axes=perm)


class Group:
    """A finite group: integer elements ``0 … order−1``, identity ``0``.

    Subclasses define ``_compose_pair`` and ``_inverse_one`` and how elements are named; the multiplication table and
    the regular representation derive from those.
    """

    name: str
    order: int

    @property
    def elements(self) -> tuple[int, ...]:
        return tuple(range(self.order))

    identity = 0

    def _check(self, g) -> int:
        if isinstance(g, (bool, np.bool_)) or not isinstance(g, (int, np.integer)) or not 0 <= g < self.order:
            raise ValueError(f"{self.name} has elements 0..{self.order - 1}. Received: g={g!r}")
        return int(g)

    def compose(self, a: int, b: int) -> int:
        """The element ``a∘b`` ("first ``b``, then ``a``")."""
        return int(self._table[self._check(a), self._check(b)])

    def inverse(self, g: int) -> int:
        return int(self._inverses[self._check(g)])

    def cayley_table(self) -> np.ndarray:
        """``table[a, b] = compose(a, b)``: an ``(order, order)`` int array (a Latin square)."""
        return self._table.copy()

    @cached_property
    def _table(self) -> np.ndarray:
        return np.array([[self._compose_pair(a, b) for b in self.elements] for a in self.elements], dtype=np.int64)

    @cached_property
    def _inverses(self) -> np.ndarray:
        return np.array([int(np.flatnonzero(self._table[g] == 0)[0]) for g in self.elements], dtype=np.int64)

    def regular_permutation(self, g: int) -> np.ndarray:
        """Indices ``idx`` with ``[g·f](h) = f(idx[h])``, i.e. ``idx[h] = g⁻¹∘h`` (the left regular representation)."""
        g_inv = self.inverse(g)
        return self._table[g_inv].copy()

    def field_permutation(self, g: int, fields: int) -> np.ndarray:
        """Channel indices ``idx`` with ``[g·f][..., i] = f[..., idx[i]]`` for ``fields`` fields over the group
        (channel ``c·|G| + h``): each field's group axis permuted by :meth:`regular_permutation`."""
        return (np.arange(int(fields))[:, None] * self.order + self.regular_permutation(g)[None, :]).reshape(-1)

    def fields_in(self, channels, owner: str, hint: str = "", shape=None) -> int:
        """How many fields ``channels`` (= fields·|G|) holds; a ``ValueError`` naming ``owner`` if it holds none.

        The one check of the channel layout of a field over this group, used by every layer that takes fields."""
        if (
            isinstance(channels, (bool, np.bool_))
            or not isinstance(channels, (int, np.integer))
            or channels <= 0
            or channels % self.order
        ):
            received = f"input_shape={tuple(shape)}" if shape is not None else f"channels={channels}"
            raise ValueError(
                f"{owner} over {self.name} needs input channels = fields·{self.order}{hint}. Received: {received}"
            )
        return int(channels) // self.order

    def element_names(self) -> list[str]:
        return [self.element_name(g) for g in self.elements]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}, order {self.order}>"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.name == other.name

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))


class SpatialGroup(Group):
    """A group acting on a pixel or voxel grid (``spatial_dims`` = 2 or 3) by ``act_on_image`` and, through its
    regular representation on the group axis, on feature fields by ``act_on_field``."""

    spatial_dims: int

    def act_on_field(self, x, g: int):
        """``[g·f](p, h) = f(g⁻¹p, g⁻¹h)`` on fields ``(batch, *space, C·|G|)``, group index fastest (exact):
        move the grid with ``act_on_image``, then permute each field's group axis by ``regular_permutation(g)``."""
        fields = self.fields_in(_shape(x)[-1], "act_on_field", shape=_shape(x))
        idx = self.field_permutation(g, fields)
        x = self.act_on_image(x, g)
        return array_namespace(x).take(x, idx, axis=-1)


class PlanarGroup(SpatialGroup):
    """Rotations by multiples of ``360°/rotations`` (``rotations`` ∈ {1, 2, 4}), with mirror flips if ``flips``.

    Element ``g = k + rotations·m`` acts on the plane as ``rot90^(k·4/rotations) ∘ flip^m`` (flip the columns first).
    """

    def __init__(self, name: str, rotations: int, flips: bool):
        if rotations not in (1, 2, 4):
            raise ValueError(
                f"Only exact pixel-grid rotations exist: `rotations` must be 1, 2 or 4. Received: rotations={rotations}"
            )
        self.name = name
        self.rotations = rotations
        self.flips = bool(flips)
        self.order = rotations * (2 if flips else 1)

    spatial_dims = 2

    def decompose(self, g: int) -> tuple[int, int]:
        """``(k, m)``: ``g`` flips if ``m == 1`` then rotates ``k`` steps of ``360°/rotations``."""
        g = self._check(g)
        return g % self.rotations, g // self.rotations

    def quarter_turns(self, g: int) -> int:
        return self.decompose(g)[0] * (4 // self.rotations)

    def _compose_pair(self, a: int, b: int) -> int:
        # r^k1 f^m1 r^k2 f^m2 = r^(k1 + (-1)^m1 k2) f^(m1+m2), because f r f = r^-1.
        (k1, m1), (k2, m2) = self.decompose(a), self.decompose(b)
        k = (k1 + (-k2 if m1 else k2)) % self.rotations
        return k + self.rotations * ((m1 + m2) % 2)

    def element_name(self, g: int) -> str:
        k, m = self.decompose(g)
        step = 4 // self.rotations
        rot = "" if k == 0 else ("r" if k * step == 1 else f"r{k * step}")
        name = rot + ("f" if m else "")
        return name or "e"

    def describe(self, g: int) -> str:
        k, m = self.decompose(g)
        parts = (["mirror left-right"] if m else []) + ([f"rotate {90 * self.quarter_turns(g)}°"] if k else [])
        return " then ".join(parts) or "identity"

    def act_on_image(self, x, g: int):
        """``[g·x](p) = x(g⁻¹p)`` on images ``(batch, H, W, C)``: move the plane only (exact)."""
        k, m = self.decompose(g)
        return rotate_plane(x, self.quarter_turns(g), flip=bool(m), axes=(1, 2))

    # --- subgroups ------------------------------------------------------------------------------------------------

    def subgroup_embedding(self, subgroup) -> np.ndarray:
        """``idx[h]``: the element of this group that moves the plane exactly as element ``h`` of ``subgroup``.

        Found by acting on an asymmetric probe with the same :meth:`act_on_image` that moves the data, so the
        inclusion ``H → G`` cannot disagree with the actions.  Raises ``ValueError`` if ``subgroup`` is not one.
        """
        subgroup = get(subgroup)
        motions = {self._plane_motion(self, g): g for g in self.elements}
        idx = []
        for h in subgroup.elements:
            motion = self._plane_motion(subgroup, h)
            if motion not in motions:
                names = ", ".join(sub.name for sub in self.subgroups())
                raise ValueError(
                    f"{subgroup.name} is not a subgroup of {self.name}: its element "
                    f"{subgroup.element_name(h)} ({subgroup.describe(h)}) is not in {self.name}. "
                    f"Subgroups of {self.name}: {names}. Received: subgroup={subgroup.name!r}"
                )
            idx.append(motions[motion])
        return np.asarray(idx, dtype=np.int64)

    def is_subgroup(self, subgroup) -> bool:
        """Whether every element of ``subgroup`` is an element of this group (as a motion of the plane)."""
        subgroup = get(subgroup)
        return (
            subgroup.order <= self.order
            and self.order % subgroup.order == 0
            and all(self._plane_motion(subgroup, h) in self._plane_motions for h in subgroup.elements)
        )

    @staticmethod
    def _plane_motion(group, g) -> tuple:
        """How ``g`` moves an asymmetric probe (every distinct motion moves it differently): a hashable key."""
        image = group.act_on_image(np.arange(12).reshape(1, 3, 4, 1), g)
        return image.shape, image.tobytes()

    @cached_property
    def _plane_motions(self) -> set:
        return {self._plane_motion(self, g) for g in self.elements}

    def subgroups(self) -> list:
        """The named planar groups (trivial, C2, C4, D1, D2, D4) contained in this one, smallest first."""
        return [h for h in (trivial, C2, D1, C4, D2, D4) if self.is_subgroup(h)]

    def cosets(self, subgroup) -> np.ndarray:
        """Right cosets ``H·r`` of ``subgroup`` ``H``: ``table[i, h] = h∘r_i`` (elements of this group).

        Row ``i`` is one coset, listed in the order of ``H``'s elements; its representative ``r_i`` is the coset's
        smallest element (so ``table[i, 0] = r_i``), rows sorted by it.  The rows partition the group, and column
        ``h`` holds ``h∘r_0, h∘r_1, …``: acting with ``k ∈ H`` on the left moves column ``h`` onto column ``k∘h``.
        This is what :class:`symkeras.layers.SubgroupPooling` reduces over.
        """
        embed = self.subgroup_embedding(subgroup)
        seen, rows = set(), []
        for r in self.elements:
            if r in seen:
                continue
            row = [self.compose(int(h), r) for h in embed]
            seen.update(row)
            rows.append(row)
        return np.asarray(rows, dtype=np.int64)

    def restricted_action(self, subgroup, on: str = "field"):
        """``action(x, h)``: element ``h`` of ``subgroup`` acting on this group's images (``on="image"``) or fields
        (``on="field"``) — the restriction of the action to the subgroup.  Usable as an ``in_action`` of
        :func:`symkeras.equivariance.check_equivariance` with ``group=subgroup``."""
        subgroup, embed = get(subgroup), self.subgroup_embedding(subgroup)
        if on not in ("image", "field"):
            raise ValueError(f"`on` must be 'image' or 'field'. Received: on={on!r}")
        act = self.act_on_field if on == "field" else self.act_on_image

        def action(x, h):
            return act(x, int(embed[subgroup._check(h)]))

        action.__name__ = f"{on} over {self.name}, restricted to {subgroup.name}"
        return action


_AXIS_NAMES = "dhw"  # depth, height, width


def _cube_matrices(reflections: bool) -> list:
    """The signed 3×3 permutation matrices of the cube's rotations (det +1), then, if ``reflections``, the same ones
    times −1 (the point inversion); within each half, ordered by rotation angle, then axis, identity first."""
    rotations = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            m = np.zeros((3, 3), dtype=np.int64)
            m[np.arange(3), perm] = signs
            if round(np.linalg.det(m)) == 1:
                rotations.append(m)
    rotations.sort(key=lambda m: (_rotation_angle(m), tuple(-_rotation_axis(m))))
    return rotations + ([-m for m in rotations] if reflections else [])


def _rotation_angle(m) -> int:
    """Angle in degrees of the rotation ``m`` (det +1): ``cos θ = (trace − 1) / 2``."""
    return int(round(np.degrees(np.arccos(np.clip((np.trace(m) - 1) / 2, -1, 1)))))


def _rotation_axis(m) -> np.ndarray:
    """Integer axis of the rotation ``m`` (det +1), oriented so that the rotation is counter-clockwise about it by
    at most 180°; zeros for the identity."""
    if _rotation_angle(m) == 180:  # R + I has rank 1: any non-zero column spans the axis
        col = m + np.eye(3, dtype=np.int64)
        axis = col[:, int(np.flatnonzero(np.abs(col).sum(0))[0])]
        return axis * (1 if axis[np.flatnonzero(axis)[0]] > 0 else -1)
    axis = np.array([m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1]], dtype=np.int64)  # 2 sin θ · axis
    return axis // max(1, int(np.max(np.abs(axis))))


class CubicGroup(SpatialGroup):
    """The symmetries of the cube acting on the voxel grid: ``O`` (24 rotations) or ``Oh`` (48: with reflections).

    Element ``g`` is the signed permutation matrix ``matrix(g)``; it moves a volume by ``[g·x](p) = x(R_g⁻¹ p)`` on
    centred (depth, height, width) coordinates (:func:`transform_volume`).  In ``Oh``, element ``g + 24`` is element
    ``g`` of ``O`` composed with the point inversion ``p ↦ −p``.
    """

    spatial_dims = 3

    def __init__(self, name: str, reflections: bool):
        self.name = name
        self.reflections = bool(reflections)
        self._matrices = _cube_matrices(self.reflections)
        self._index = {m.tobytes(): i for i, m in enumerate(self._matrices)}
        self.order = len(self._matrices)

    def matrix(self, g: int) -> np.ndarray:
        """The signed 3×3 permutation matrix ``R_g`` acting on (depth, height, width) coordinates."""
        return self._matrices[self._check(g)].copy()

    def _compose_pair(self, a: int, b: int) -> int:
        return self._index[(self._matrices[a] @ self._matrices[b]).tobytes()]

    def _parts(self, g: int):
        m = self.matrix(g)
        improper = round(np.linalg.det(m)) == -1
        rotation = -m if improper else m
        return improper, _rotation_angle(rotation), _rotation_axis(rotation)

    def element_name(self, g: int) -> str:
        improper, angle, axis = self._parts(g)
        axis_name = "".join(("-" if a < 0 else "+") + _AXIS_NAMES[i] for i, a in enumerate(axis) if a).lstrip("+")
        name = "e" if angle == 0 else f"r{angle}[{axis_name}]"
        return ("i" if name == "e" else "i" + name) if improper else name

    def describe(self, g: int) -> str:
        improper, angle, axis = self._parts(g)
        axis = tuple(int(a) for a in axis)
        parts = [] if angle == 0 else [f"rotate {angle}° about the (depth, height, width) axis {axis}"]
        if improper:
            parts.append("invert through the centre")
        return " then ".join(parts) or "identity"

    def act_on_image(self, x, g: int):
        """``[g·x](p) = x(R_g⁻¹p)`` on volumes ``(batch, D, H, W, C)``: move the grid only (exact)."""
        return transform_volume(x, self.matrix(g), axes=(1, 2, 3))

    act_on_volume = act_on_image


class SymmetricGroup(Group):
    """``S(n)``: all ``n!`` permutations of ``n`` set elements, acting on sets ``(batch, n, features)``.

    Element ``g`` is the permutation ``self.permutation(g)`` (a tuple ``σ``) of lexicographic rank ``g`` (its Lehmer
    code), so elements are numbered without listing them and ``n`` can be any size: composition and inverses work
    on the permutations themselves.  ``[g·x]_i = x_{σ⁻¹(i)}``: the element at position ``i`` moves to position
    ``σ(i)``.  Only the Cayley table needs every element, and it is refused above ``n = 7`` (5,040 elements);
    :func:`symkeras.equivariance.equivariance_error` samples elements of larger groups (:meth:`sample`).
    """

    def __init__(self, n: int):
        if not isinstance(n, (int, np.integer)) or isinstance(n, (bool, np.bool_)) or n < 1:
            raise ValueError(f"S(n) permutes n >= 1 set elements. Received: n={n!r}")
        self.n = int(n)
        self.name = f"S{self.n}"
        self.order = math.factorial(self.n)

    @property
    def elements(self) -> range:
        return range(self.order)  # lazy: S(10) has 3,628,800 elements

    def permutation(self, g: int) -> tuple[int, ...]:
        """The permutation of lexicographic rank ``g`` (``itertools.permutations(range(n))`` order)."""
        g = self._check(g)
        remaining, perm = list(range(self.n)), []
        for i in range(self.n - 1, -1, -1):
            digit, g = divmod(g, math.factorial(i))
            perm.append(remaining.pop(digit))
        return tuple(perm)

    def rank(self, perm) -> int:
        """The element number of a permutation (inverse of :meth:`permutation`)."""
        perm = tuple(int(p) for p in perm)
        if sorted(perm) != list(range(self.n)):
            raise ValueError(f"{self.name} needs a permutation of 0..{self.n - 1}. Received: perm={perm}")
        remaining, g = list(range(self.n)), 0
        for i, p in enumerate(perm):
            digit = remaining.index(p)
            g += digit * math.factorial(self.n - 1 - i)
            remaining.pop(digit)
        return g

    def _compose_pair(self, a: int, b: int) -> int:
        pa, pb = self.permutation(a), self.permutation(b)
        return self.rank(tuple(pa[pb[i]] for i in range(self.n)))

    def compose(self, a: int, b: int) -> int:
        return self._compose_pair(self._check(a), self._check(b))

    def inverse(self, g: int) -> int:
        sigma, inv = self.permutation(g), [0] * self.n
        for i, p in enumerate(sigma):
            inv[p] = i
        return self.rank(inv)

    def regular_permutation(self, g: int) -> np.ndarray:
        if self.n > 7:
            raise ValueError(
                f"The regular representation of {self.name} has {self.order:,} entries per element; "
                f"it is built only for n <= 7. Received: n={self.n}"
            )
        return super().regular_permutation(g)

    @cached_property
    def _table(self) -> np.ndarray:
        if self.n > 7:
            raise ValueError(
                f"The Cayley table of {self.name} would have {self.order:,}² entries; it is built only "
                f"for n <= 7. Compose elements one pair at a time with compose(a, b). "
                f"Received: n={self.n}"
            )
        return super()._table

    def generators(self) -> tuple[int, ...]:
        """A swap ``(0 1)`` and the cycle ``(0 1 … n−1)``: together they generate all of ``S(n)``."""
        if self.n == 1:
            return (0,)
        swap = self.rank((1, 0, *range(2, self.n)))
        cycle = self.rank((*range(1, self.n), 0))
        return tuple(dict.fromkeys((swap, cycle)))

    def sample(self, count: int, seed: int = 0) -> list[int]:
        """``count`` distinct elements: the identity, the :meth:`generators`, then uniformly random permutations."""
        rng = np.random.default_rng(seed)
        chosen = list(dict.fromkeys((0, *self.generators())))
        while len(chosen) < min(count, self.order):
            g = self.rank(rng.permutation(self.n))
            if g not in chosen:
                chosen.append(g)
        return chosen

    def element_name(self, g: int) -> str:
        return "(" + " ".join(str(i) for i in self.permutation(g)) + ")"

    def describe(self, g: int) -> str:
        return f"permute set elements by {self.element_name(g)}"

    def act_on_set(self, x, g: int):
        """``[g·x]_i = x_{σ⁻¹(i)}`` on sets ``(batch, n, features)`` (exact)."""
        if _shape(x)[1] != self.n:
            raise ValueError(
                f"{self.name} acts on sets of {self.n} elements along axis 1. Received: shape={tuple(_shape(x))}"
            )
        sigma_inv = self.permutation(self.inverse(g))
        return array_namespace(x).take(x, np.asarray(sigma_inv), axis=1)

    def act_on_points(self, x, g: int):
        """Permute the points of a point cloud: positions ``(batch, n, 3)``, or a pair ``(h, x)`` of per-point scalars
        and positions, both permuted the same way (exact)."""
        if isinstance(x, (tuple, list)):
            return type(x)(self.act_on_set(part, g) for part in x)
        return self.act_on_set(x, g)

    def act_on_vectors(self, v, g: int):
        """Permute per-point vectors ``(batch, n, 3)`` (forces) with their points (exact)."""
        return self.act_on_set(v, g)


class TranslationGroup(Group):
    """``Z_h × Z_w``: all circular translations of an ``h × w`` pixel grid; element ``g = dy·w + dx``.

    ``[g·x](p) = x(p − (dy, dx))`` with wrap-around (:func:`translate`), exact on images and fields alike.
    """

    def __init__(self, height: int, width: int):
        if height < 1 or width < 1:
            raise ValueError(f"Need a positive grid. Received: height={height}, width={width}")
        self.height, self.width = int(height), int(width)
        self.name = f"T({self.height}x{self.width})"
        self.order = self.height * self.width

    def shift(self, g: int) -> tuple[int, int]:
        g = self._check(g)
        return g // self.width, g % self.width

    def _compose_pair(self, a: int, b: int) -> int:
        (ya, xa), (yb, xb) = self.shift(a), self.shift(b)
        return ((ya + yb) % self.height) * self.width + (xa + xb) % self.width

    def element_name(self, g: int) -> str:
        return "t({},{})".format(*self.shift(g))

    def describe(self, g: int) -> str:
        return "shift down {} and right {} (circularly)".format(*self.shift(g))

    def act_on_image(self, x, g: int):
        if tuple(_shape(x)[1:3]) != (self.height, self.width):
            raise ValueError(
                f"{self.name} acts on {self.height}×{self.width} grids. Received: shape={tuple(_shape(x))}"
            )
        return translate(x, self.shift(g))

    act_on_field = act_on_image  # translations move every channel alike


class EuclideanGroup(Group):
    """Isometries of 3-D space acting on point clouds: rotations, optionally reflections and translations, and
    optionally the permutations of ``atoms`` points.

    ``EuclideanGroup()`` is ``SO(3)``; ``reflections=True`` gives ``O(3)``, ``translations=True`` ``SE(3)`` / ``E(3)``,
    ``atoms=n`` the product with ``S(n)`` (every element also relabels the points).  ``rotations=False`` leaves only
    the other parts (translations alone, or mirror images alone).

    The group is continuous, so its elements cannot be listed: element ``g`` (an ``int ≥ 0``) is the ``g``-th of a
    fixed stream of random elements drawn from ``seed`` (``g = 0`` is the identity).  Rotations are Haar-random (QR
    of a Gaussian matrix, signs fixed); with reflections every odd element is improper (``det R = −1``: a mirror
    through a random plane after the rotation), so any sample of two or more holds both kinds.  Translations are
    standard normal in each coordinate (the units of the positions); permutations are uniform.  ``compose`` and
    ``inverse`` are not defined on these numbers (compose the matrices); :func:`symkeras.equivariance.equivariance_error`
    checks the group on :meth:`sample`.

    Actions (exact up to float round-off; ``R = matrix(g)``, ``t = translation(g)``, ``σ = permutation(g)``):

    * :meth:`act_on_points`: positions ``(batch, n, 3)`` ↦ ``R x_{σ⁻¹(i)} + t``; a pair ``(h, x)`` also permutes the
      per-point scalars ``h`` ``(batch, n, f)``, which do not rotate;
    * :meth:`act_on_vectors`: per-point vectors (forces) ``(batch, n, 3)`` ↦ ``R v_{σ⁻¹(i)}`` (no translation);
    * :meth:`act_on_set`: per-point scalars ``(batch, n, f)`` ↦ ``h_{σ⁻¹(i)}``.

    Row vectors: positions are rows, so the code computes ``x @ R.T``.
    """

    def __init__(self, rotations=True, reflections=False, translations=False, atoms=None, seed=0):
        if not (rotations or reflections or translations):
            raise ValueError(
                "A EuclideanGroup needs rotations, reflections or translations; for permutations of points alone use "
                f"SymmetricGroup(n). Received: rotations={rotations!r}, reflections={reflections!r}, "
                f"translations={translations!r}"
            )
        if atoms is not None and (
            not isinstance(atoms, (int, np.integer)) or isinstance(atoms, (bool, np.bool_)) or atoms < 1
        ):
            raise ValueError(f"`atoms` must be None or the number of points (an int >= 1). Received: atoms={atoms!r}")
        self.rotations, self.reflections, self.translations = bool(rotations), bool(reflections), bool(translations)
        self.atoms, self.seed = (None if atoms is None else int(atoms)), int(seed)
        point = {(True, False): "SO(3)", (True, True): "O(3)", (False, True): "mirrors", (False, False): ""}[
            (self.rotations, self.reflections)
        ]
        if self.translations:
            point = {"SO(3)": "SE(3)", "O(3)": "E(3)", "mirrors": "mirrors+T(3)", "": "T(3)"}[point]
        self.name = point + (f"×S{self.atoms}" if self.atoms else "")
        self.order = math.inf

    def _key(self):
        return (self.rotations, self.reflections, self.translations, self.atoms, self.seed)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"<EuclideanGroup {self.name}, continuous, seed {self.seed}>"

    def _check(self, g) -> int:
        if isinstance(g, (bool, np.bool_)) or not isinstance(g, (int, np.integer)) or g < 0:
            raise ValueError(
                f"Elements of {self.name} are numbered 0, 1, 2, … (0 is the identity; g is the g-th seeded random "
                f"element). Received: g={g!r}"
            )
        return int(g)

    def _rng(self, g: int, part: int):
        return np.random.default_rng((self.seed, g, part))

    def matrix(self, g: int) -> np.ndarray:
        """The orthogonal ``3×3`` matrix ``R_g`` (float64; ``det = +1`` for rotations, ``−1`` for reflections)."""
        g = self._check(g)
        m = np.eye(3)
        if g == 0:
            return m
        if self.rotations:
            q, r = np.linalg.qr(self._rng(g, 0).normal(size=(3, 3)))
            m = q * np.sign(np.diag(r))  # Haar-random orthogonal
            m = m if np.linalg.det(m) > 0 else -m  # made proper (−I flips the determinant in 3-D)
        if self.reflections and g % 2 == 1:
            n = self._rng(g, 1).normal(size=3)
            n /= np.linalg.norm(n)
            m = (np.eye(3) - 2 * np.outer(n, n)) @ m  # a mirror (Householder) after the rotation: det = −1
        return m

    def translation(self, g: int) -> np.ndarray:
        """The translation ``t_g`` (float64, shape ``(3,)``; zero without translations)."""
        g = self._check(g)
        if g == 0 or not self.translations:
            return np.zeros(3)
        return self._rng(g, 2).normal(size=3)

    def permutation(self, g: int):
        """The permutation ``σ_g`` of the points as a tuple (``None`` without ``atoms``)."""
        g = self._check(g)
        if self.atoms is None:
            return None
        if g == 0:
            return tuple(range(self.atoms))
        return tuple(int(i) for i in self._rng(g, 3).permutation(self.atoms))

    def is_proper(self, g: int) -> bool:
        """Whether ``R_g`` is a rotation (``det = +1``) rather than a reflection."""
        return bool(np.linalg.det(self.matrix(g)) > 0)

    def sample(self, count: int, seed: int = 0) -> list[int]:
        """The first ``count`` elements ``0 … count−1`` (the identity first).  The stream is fixed by the group's own
        ``seed``; the argument keeps the interface of :meth:`SymmetricGroup.sample`."""
        return list(range(int(count)))

    def compose(self, a: int, b: int) -> int:
        raise ValueError(
            f"{self.name} is continuous: its elements are numbered samples, and the product of two samples is not one "
            f"of them. Compose the matrices instead: matrix(a) @ matrix(b). Received: a={a!r}, b={b!r}"
        )

    def inverse(self, g: int) -> int:
        raise ValueError(
            f"{self.name} is continuous: the inverse of a sample is not numbered; use matrix(g).T. Received: g={g!r}"
        )

    def cayley_table(self) -> np.ndarray:
        raise ValueError(f"{self.name} is continuous: it has no Cayley table; use sample(count) and matrix(g).")

    def element_name(self, g: int) -> str:
        if self._check(g) == 0:
            return "identity"
        parts = []
        if self.rotations or self.reflections:
            m = self.matrix(g)
            proper = np.linalg.det(m) > 0
            angle = np.degrees(np.arccos(np.clip((np.trace(m if proper else -m) - 1) / 2, -1, 1)))
            parts.append(f"{'rotation' if proper else 'reflection'} {angle:.0f}°")
        if self.translations:
            parts.append("shift ({:.1f}, {:.1f}, {:.1f})".format(*self.translation(g)))
        if self.atoms:
            parts.append("permutation")
        return f"g{g}: " + ", ".join(parts)

    def describe(self, g: int) -> str:
        return f"a seeded random element of {self.name}"

    def _permute(self, x, g: int):
        sigma = self.permutation(g)
        if sigma is None:
            return x
        if _shape(x)[1] != self.atoms:
            raise ValueError(
                f"{self.name} permutes {self.atoms} points along axis 1. Received: shape={tuple(_shape(x))}"
            )
        return array_namespace(x).take(x, np.argsort(sigma), axis=1)  # [σ·x]_i = x_{σ⁻¹(i)}

    def _rotate(self, x, g: int, translate: bool):
        shape = tuple(_shape(x))
        if len(shape) < 2 or shape[-1] != 3:
            raise ValueError(
                f"{self.name} acts on 3-D points: the last axis must hold (x, y, z). Received: shape={shape}"
            )
        m, t = self.matrix(g).T, self.translation(g)
        translate = translate and self.translations
        if array_namespace(x) is np:
            y = x @ m.astype(x.dtype)
            return y + t.astype(x.dtype) if translate else y
        from keras import ops

        y = ops.einsum("...i,ij->...j", x, ops.cast(m, x.dtype))  # not ops.matmul: float32 on PyTorch for float64
        return y + ops.cast(t, x.dtype) if translate else y

    def act_on_points(self, x, g: int):
        """``[g·x]_i = R x_{σ⁻¹(i)} + t`` on positions ``(batch, n, 3)``; a pair ``(h, x)`` also permutes ``h``."""
        if isinstance(x, (tuple, list)):
            if len(x) != 2:
                raise ValueError(
                    "A point cloud is positions (batch, n, 3) or a pair (h, x) of per-point scalars and positions. "
                    f"Received: {len(x)} arrays"
                )
            h, pos = x
            return type(x)((self._permute(h, g), self.act_on_points(pos, g)))
        return self._rotate(self._permute(x, g), g, translate=True)

    def act_on_vectors(self, v, g: int):
        """``[g·v]_i = R v_{σ⁻¹(i)}`` on per-point vectors ``(batch, n, 3)`` such as forces (no translation)."""
        return self._rotate(self._permute(v, g), g, translate=False)

    def act_on_set(self, x, g: int):
        """``[g·h]_i = h_{σ⁻¹(i)}`` on per-point scalars ``(batch, n, f)`` (they do not rotate)."""
        return self._permute(x, g)


SO3 = EuclideanGroup()
O3 = EuclideanGroup(reflections=True)
SE3 = EuclideanGroup(translations=True)
E3 = EuclideanGroup(reflections=True, translations=True)


trivial = PlanarGroup("trivial", rotations=1, flips=False)
C2 = PlanarGroup("C2", rotations=2, flips=False)
C4 = PlanarGroup("C4", rotations=4, flips=False)
D1 = PlanarGroup("D1", rotations=1, flips=True)
D2 = PlanarGroup("D2", rotations=2, flips=True)
D4 = PlanarGroup("D4", rotations=4, flips=True)

O = CubicGroup("O", reflections=False)
Oh = CubicGroup("Oh", reflections=True)

_PLANAR = {g.name.lower(): g for g in (trivial, C2, C4, D1, D2, D4)}
_PLANAR["c1"] = trivial
_CUBIC = {g.name.lower(): g for g in (O, Oh)}
_SPATIAL = {2: ("image", "PlanarGroup", _PLANAR), 3: ("volume", "CubicGroup", _CUBIC)}


def get(group, spatial_dims: int | None = None) -> SpatialGroup:
    """The group named ``group`` (``"C4"``, ``"D4"``, …, ``"O"``, ``"Oh"``; case-insensitive), or ``group`` itself.

    ``spatial_dims=2`` accepts only planar groups (acting on images), ``3`` only cubic groups (acting on volumes).
    """
    known = {**_PLANAR, **_CUBIC} if spatial_dims is None else _SPATIAL[spatial_dims][2]
    if isinstance(group, SpatialGroup) and (spatial_dims is None or group.spatial_dims == spatial_dims):
        return group
    if isinstance(group, str) and group.lower() in known:
        return known[group.lower()]
    if spatial_dims is not None and (isinstance(group, SpatialGroup) or str(group).lower() in {**_PLANAR, **_CUBIC}):
        other = get(group)
        raise ValueError(
            f"{other.name} acts on {_SPATIAL[other.spatial_dims][0]}s ({other.spatial_dims}-D), but this "
            f"needs a group acting on {_SPATIAL[spatial_dims][0]}s ({spatial_dims}-D): use one of "
            f"{', '.join(repr(g.name) for g in dict.fromkeys(known.values()))}, or the "
            f"{other.spatial_dims}-D layer. Received: group={group!r}"
        )
    names = ", ".join(repr(g.name) for g in dict.fromkeys(known.values()))
    kind = "SpatialGroup" if spatial_dims is None else _SPATIAL[spatial_dims][1]
    raise ValueError(f"Unknown group. Use one of {names} or a symkeras.groups.{kind}. Received: group={group!r}")


def cyclic(n: int) -> PlanarGroup:
    """The planar rotation group with ``n`` elements (``trivial``, ``C2`` or ``C4``): what an orientation axis of
    length ``n`` means when no group is named."""
    for group in (trivial, C2, C4):
        if group.order == n:
            return group
    raise ValueError(f"Exact pixel-grid rotation groups have 1, 2 or 4 elements. Received: n={n!r}")


def act_on_image(x, g: int, group="C4"):
    """Module-level form of ``group.act_on_image``."""
    return get(group).act_on_image(x, g)


def act_on_field(x, g: int, group="C4"):
    """Module-level form of ``group.act_on_field``."""
    return get(group).act_on_field(x, g)


def act_on_volume(x, g: int, group="O"):
    """Module-level form of ``group.act_on_volume`` (a cubic group moving ``(batch, D, H, W, C)`` volumes)."""
    return get(group, spatial_dims=3).act_on_volume(x, g)


def act_on_set(x, g: int, group: SymmetricGroup):
    """Module-level form of ``group.act_on_set``."""
    return group.act_on_set(x, g)


def _order(group) -> int:
    return int(group) if isinstance(group, (int, np.integer)) else get(group).order


def act_on_points(x, g: int, group):
    """Module-level form of ``group.act_on_points`` (an :class:`EuclideanGroup` or :class:`SymmetricGroup`)."""
    return group.act_on_points(x, g)


def act_on_vectors(v, g: int, group):
    """Module-level form of ``group.act_on_vectors``."""
    return group.act_on_vectors(v, g)


def split_group_axis(x, group="C4"):
    """``(…, C·|G|) → (…, C, |G|)``: the explicit view of a field's group axis (group index fastest)."""
    n = _order(group)
    shape = tuple(_shape(x))
    if not isinstance(shape[-1], (int, np.integer)) or shape[-1] % n:
        raise ValueError(f"The last axis must hold fields·{n} channels. Received: shape={shape}")
    return array_namespace(x).reshape(x, (*shape[:-1], shape[-1] // n, n))


def merge_group_axis(x, group="C4"):
    """``(…, C, |G|) → (…, C·|G|)``: inverse of :func:`split_group_axis`."""
    n = _order(group)
    shape = tuple(_shape(x))
    if shape[-1] != n:
        raise ValueError(f"The last axis must be the group axis of length {n}. Received: shape={shape}")
    return array_namespace(x).reshape(x, (*shape[:-2], shape[-2] * n))
